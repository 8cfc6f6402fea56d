package glue_test

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	"github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/smithy-go"

	"github.com/fogbank/fogbank/fogbanktest"
)

func wantCode(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want %s", err, code)
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("err = %s %q, want %s containing %q", ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

func logsTable(name string) *types.TableInput {
	return &types.TableInput{
		Name:      aws.String(name),
		TableType: aws.String("EXTERNAL_TABLE"),
		Parameters: map[string]string{
			"classification": "csv", "skip.header.line.count": "1", "compressionType": "none",
		},
		StorageDescriptor: &types.StorageDescriptor{
			Columns: []types.Column{
				{Name: aws.String("ts"), Type: aws.String("timestamp")},
				{Name: aws.String("latency"), Type: aws.String("double")},
			},
			Location:     aws.String("s3://logs/raw/"),
			InputFormat:  aws.String("org.apache.hadoop.mapred.TextInputFormat"),
			OutputFormat: aws.String("org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"),
			SerdeInfo: &types.SerDeInfo{
				SerializationLibrary: aws.String("org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"),
				Parameters:           map[string]string{"field.delim": ","},
			},
		},
		PartitionKeys: []types.Column{
			{Name: aws.String("year"), Type: aws.String("string")},
			{Name: aws.String("month"), Type: aws.String("string")},
			{Name: aws.String("day"), Type: aws.String("int")},
		},
	}
}

func TestCatalog(t *testing.T) {
	dir := t.TempDir()
	srv := fogbanktest.Start(t, fogbanktest.WithDataDir(dir))
	c := glue.NewFromConfig(srv.Config)
	ctx := context.Background()

	_, err := c.GetDatabase(ctx, &glue.GetDatabaseInput{Name: aws.String("web")})
	wantCode(t, err, "EntityNotFoundException", "Database web not found.")

	if _, err := c.CreateDatabase(ctx, &glue.CreateDatabaseInput{
		DatabaseInput: &types.DatabaseInput{Name: aws.String("Web"), Description: aws.String("site")},
		Tags:          map[string]string{"team": "data"},
	}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &types.DatabaseInput{Name: aws.String("web")}})
	wantCode(t, err, "AlreadyExistsException", "Database already exists.")
	db, err := c.GetDatabase(ctx, &glue.GetDatabaseInput{Name: aws.String("WEB")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(db.Database.Name); got != "web" {
		t.Errorf("database name = %q, want web (lower-cased)", got)
	}
	if aws.ToString(db.Database.CatalogId) != "000000000000" || db.Database.CreateTime == nil {
		t.Errorf("database = %+v", db.Database)
	}
	tags, err := c.GetTags(ctx, &glue.GetTagsInput{ResourceArn: aws.String("arn:aws:glue:us-east-1:000000000000:database/web")})
	if err != nil || tags.Tags["team"] != "data" {
		t.Fatalf("GetTags = %v, %v", tags, err)
	}

	_, err = c.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("nope"), TableInput: logsTable("x")})
	wantCode(t, err, "EntityNotFoundException", "Database nope not found.")
	if _, err := c.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("web"), TableInput: logsTable("Logs")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("web"), TableInput: logsTable("logs")})
	wantCode(t, err, "AlreadyExistsException", "Table already exists.")
	_, err = c.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("web"), Name: aws.String("other")})
	wantCode(t, err, "EntityNotFoundException", "Table other not found.")

	got, err := c.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("web"), Name: aws.String("logs")})
	if err != nil {
		t.Fatal(err)
	}
	tb := got.Table
	if aws.ToString(tb.Name) != "logs" || aws.ToString(tb.DatabaseName) != "web" || aws.ToString(tb.VersionId) != "0" {
		t.Errorf("table = %s.%s v%s", aws.ToString(tb.DatabaseName), aws.ToString(tb.Name), aws.ToString(tb.VersionId))
	}
	if len(tb.StorageDescriptor.Columns) != 2 || aws.ToString(tb.StorageDescriptor.Columns[1].Type) != "double" ||
		len(tb.PartitionKeys) != 3 || tb.Parameters["skip.header.line.count"] != "1" ||
		tb.StorageDescriptor.SerdeInfo.Parameters["field.delim"] != "," || aws.ToString(tb.TableType) != "EXTERNAL_TABLE" {
		t.Errorf("table read back differs: %+v", tb)
	}

	// Versions: UpdateTable archives; GetTableVersions answers newest first.
	in := logsTable("logs")
	in.StorageDescriptor.Columns = append(in.StorageDescriptor.Columns, types.Column{Name: aws.String("path"), Type: aws.String("string")})
	if _, err := c.UpdateTable(ctx, &glue.UpdateTableInput{DatabaseName: aws.String("web"), TableInput: in}); err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateTable(ctx, &glue.UpdateTableInput{DatabaseName: aws.String("web"), TableInput: in, VersionId: aws.String("0")})
	wantCode(t, err, "ConcurrentModificationException", "")
	vs, err := c.GetTableVersions(ctx, &glue.GetTableVersionsInput{DatabaseName: aws.String("web"), TableName: aws.String("logs")})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs.TableVersions) != 2 || aws.ToString(vs.TableVersions[0].VersionId) != "1" || len(vs.TableVersions[0].Table.StorageDescriptor.Columns) != 3 ||
		len(vs.TableVersions[1].Table.StorageDescriptor.Columns) != 2 {
		t.Fatalf("versions = %d", len(vs.TableVersions))
	}
	_, err = c.DeleteTableVersion(ctx, &glue.DeleteTableVersionInput{DatabaseName: aws.String("web"), TableName: aws.String("logs"), VersionId: aws.String("1")})
	wantCode(t, err, "InvalidInputException", "current version")
	if _, err := c.DeleteTableVersion(ctx, &glue.DeleteTableVersionInput{DatabaseName: aws.String("web"), TableName: aws.String("logs"), VersionId: aws.String("0")}); err != nil {
		t.Fatal(err)
	}

	// Partitions.
	var inputs []types.PartitionInput
	for _, m := range []string{"10", "11"} {
		for d := 1; d <= 12; d++ {
			day := []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"}[d-1]
			inputs = append(inputs, types.PartitionInput{
				Values:            []string{"2026", m, day},
				StorageDescriptor: &types.StorageDescriptor{Location: aws.String("s3://logs/raw/year=2026/month=" + m + "/day=" + day + "/")},
			})
		}
	}
	bc, err := c.BatchCreatePartition(ctx, &glue.BatchCreatePartitionInput{DatabaseName: aws.String("web"), TableName: aws.String("logs"), PartitionInputList: inputs})
	if err != nil || len(bc.Errors) != 0 {
		t.Fatalf("BatchCreatePartition = %+v, %v", bc, err)
	}
	bc, err = c.BatchCreatePartition(ctx, &glue.BatchCreatePartitionInput{DatabaseName: aws.String("web"), TableName: aws.String("logs"),
		PartitionInputList: []types.PartitionInput{inputs[0], {Values: []string{"2026", "12"}}}})
	if err != nil || len(bc.Errors) != 2 || aws.ToString(bc.Errors[0].ErrorDetail.ErrorCode) != "AlreadyExistsException" ||
		aws.ToString(bc.Errors[1].ErrorDetail.ErrorCode) != "InvalidInputException" {
		t.Fatalf("BatchCreatePartition of an existing and a short one = %+v, %v", bc, err)
	}
	_, err = c.GetPartition(ctx, &glue.GetPartitionInput{DatabaseName: aws.String("web"), TableName: aws.String("logs"), PartitionValues: []string{"2025", "1", "1"}})
	wantCode(t, err, "EntityNotFoundException", "Cannot find partition.")

	days := func(expr string) []string {
		t.Helper()
		var out []string
		pg := glue.NewGetPartitionsPaginator(c, &glue.GetPartitionsInput{DatabaseName: aws.String("web"), TableName: aws.String("logs"),
			Expression: aws.String(expr), MaxResults: aws.Int32(5)})
		for pg.HasMorePages() {
			page, err := pg.NextPage(ctx)
			if err != nil {
				t.Fatalf("GetPartitions %q: %v", expr, err)
			}
			for _, p := range page.Partitions {
				out = append(out, p.Values[1]+"/"+p.Values[2])
			}
		}
		sort.Strings(out)
		return out
	}
	for _, tc := range []struct {
		expr string
		want string
	}{
		{"", "10/1 10/10 10/11 10/12 10/2 10/3 10/4 10/5 10/6 10/7 10/8 10/9 11/1 11/10 11/11 11/12 11/2 11/3 11/4 11/5 11/6 11/7 11/8 11/9"},
		{"month = '11' AND day > 9", "11/10 11/11 11/12"},                  // day is int: numeric
		{"month='10' and day between 2 and 3", "10/2 10/3"},                // keywords in any case
		{"month <> '10' AND (day = 1 OR day IN (5, 7))", "11/1 11/5 11/7"}, // parentheses, IN
		{"month = '11' AND NOT day <= 10", "11/11 11/12"},
		{"month LIKE '1_' AND day NOT IN (1,2,3,4,5,6,7,8,9,10)", "10/11 10/12 11/11 11/12"},
		{"year >= '2027'", ""},
	} {
		if got := strings.Join(days(tc.expr), " "); got != tc.want {
			t.Errorf("GetPartitions %q = %q, want %q", tc.expr, got, tc.want)
		}
	}
	_, err = c.GetPartitions(ctx, &glue.GetPartitionsInput{DatabaseName: aws.String("web"), TableName: aws.String("logs"), Expression: aws.String("hour = 1")})
	wantCode(t, err, "InvalidInputException", "")
	_, err = c.GetPartitions(ctx, &glue.GetPartitionsInput{DatabaseName: aws.String("web"), TableName: aws.String("logs"), Expression: aws.String("day = ")})
	wantCode(t, err, "InvalidInputException", "")

	// Segments split the partitions between them, each exactly once.
	seen := 0
	for i := int32(0); i < 3; i++ {
		out, err := c.GetPartitions(ctx, &glue.GetPartitionsInput{DatabaseName: aws.String("web"), TableName: aws.String("logs"),
			Segment: &types.Segment{SegmentNumber: i, TotalSegments: aws.Int32(3)}})
		if err != nil {
			t.Fatal(err)
		}
		seen += len(out.Partitions)
	}
	if seen != 24 {
		t.Errorf("segments held %d partitions, want 24", seen)
	}

	bg, err := c.BatchGetPartition(ctx, &glue.BatchGetPartitionInput{DatabaseName: aws.String("web"), TableName: aws.String("logs"),
		PartitionsToGet: []types.PartitionValueList{{Values: []string{"2026", "10", "1"}}, {Values: []string{"2020", "1", "1"}}}})
	if err != nil || len(bg.Partitions) != 1 || aws.ToString(bg.Partitions[0].StorageDescriptor.Location) != "s3://logs/raw/year=2026/month=10/day=1/" {
		t.Fatalf("BatchGetPartition = %+v, %v", bg, err)
	}
	bd, err := c.BatchDeletePartition(ctx, &glue.BatchDeletePartitionInput{DatabaseName: aws.String("web"), TableName: aws.String("logs"),
		PartitionsToDelete: []types.PartitionValueList{{Values: []string{"2026", "10", "1"}}, {Values: []string{"2020", "1", "1"}}}})
	if err != nil || len(bd.Errors) != 1 || aws.ToString(bd.Errors[0].ErrorDetail.ErrorCode) != "EntityNotFoundException" {
		t.Fatalf("BatchDeletePartition = %+v, %v", bd, err)
	}
	if _, err := c.UpdatePartition(ctx, &glue.UpdatePartitionInput{DatabaseName: aws.String("web"), TableName: aws.String("logs"),
		PartitionValueList: []string{"2026", "10", "2"},
		PartitionInput:     &types.PartitionInput{Values: []string{"2026", "10", "2"}, Parameters: map[string]string{"recordCount": "5"}}}); err != nil {
		t.Fatal(err)
	}
	gp, err := c.GetPartition(ctx, &glue.GetPartitionInput{DatabaseName: aws.String("web"), TableName: aws.String("logs"), PartitionValues: []string{"2026", "10", "2"}})
	if err != nil || gp.Partition.Parameters["recordCount"] != "5" || gp.Partition.CreationTime == nil {
		t.Fatalf("GetPartition after update = %+v, %v", gp, err)
	}

	// Paging of tables, and the name Expression.
	for _, n := range []string{"a1", "a2", "b1"} {
		if _, err := c.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("web"), TableInput: &types.TableInput{Name: aws.String(n)}}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	pg := glue.NewGetTablesPaginator(c, &glue.GetTablesInput{DatabaseName: aws.String("web"), MaxResults: aws.Int32(2)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range page.TableList {
			names = append(names, aws.ToString(tb.Name))
		}
	}
	if strings.Join(names, " ") != "a1 a2 b1 logs" {
		t.Errorf("tables = %v", names)
	}
	ft, err := c.GetTables(ctx, &glue.GetTablesInput{DatabaseName: aws.String("web"), Expression: aws.String("a*")})
	if err != nil || len(ft.TableList) != 2 {
		t.Fatalf("GetTables a* = %d, %v", len(ft.TableList), err)
	}
	ft, err = c.GetTables(ctx, &glue.GetTablesInput{DatabaseName: aws.String("web"), Expression: aws.String("logs"), AttributesToGet: []types.TableAttributes{types.TableAttributesName}})
	if err != nil || len(ft.TableList) != 1 || ft.TableList[0].StorageDescriptor != nil || aws.ToString(ft.TableList[0].Name) != "logs" {
		t.Fatalf("GetTables with AttributesToGet NAME = %+v, %v", ft.TableList, err)
	}

	// State survives a restart.
	srv.Stop()
	srv = fogbanktest.Start(t, fogbanktest.WithDataDir(dir))
	c = glue.NewFromConfig(srv.Config)
	if got := days("month = '10' AND day < 4"); strings.Join(got, " ") != "10/2 10/3" {
		t.Errorf("after restart: %v", got)
	}

	bt, err := c.BatchDeleteTable(ctx, &glue.BatchDeleteTableInput{DatabaseName: aws.String("web"), TablesToDelete: []string{"a1", "zz"}})
	if err != nil || len(bt.Errors) != 1 || aws.ToString(bt.Errors[0].TableName) != "zz" {
		t.Fatalf("BatchDeleteTable = %+v, %v", bt, err)
	}
	if _, err := c.DeleteDatabase(ctx, &glue.DeleteDatabaseInput{Name: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &types.DatabaseInput{Name: aws.String("web")}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String("web"), Name: aws.String("logs")})
	wantCode(t, err, "EntityNotFoundException", "Table logs not found.")
}

func TestCatalogExtras(t *testing.T) {
	srv := fogbanktest.Start(t)
	c := glue.NewFromConfig(srv.Config)
	ctx := context.Background()
	if _, err := c.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &types.DatabaseInput{Name: aws.String("d")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("d"), TableInput: logsTable("t"),
		PartitionIndexes: []types.PartitionIndex{{IndexName: aws.String("ym"), Keys: []string{"year", "month"}}}}); err != nil {
		t.Fatal(err)
	}
	ix, err := c.GetPartitionIndexes(ctx, &glue.GetPartitionIndexesInput{DatabaseName: aws.String("d"), TableName: aws.String("t")})
	if err != nil || len(ix.PartitionIndexDescriptorList) != 1 || ix.PartitionIndexDescriptorList[0].IndexStatus != types.PartitionIndexStatusActive ||
		aws.ToString(ix.PartitionIndexDescriptorList[0].Keys[1].Type) != "string" {
		t.Fatalf("GetPartitionIndexes = %+v, %v", ix, err)
	}
	_, err = c.CreatePartitionIndex(ctx, &glue.CreatePartitionIndexInput{DatabaseName: aws.String("d"), TableName: aws.String("t"),
		PartitionIndex: &types.PartitionIndex{IndexName: aws.String("bad"), Keys: []string{"latency"}}})
	wantCode(t, err, "InvalidInputException", "latency")

	st, err := c.UpdateColumnStatisticsForTable(ctx, &glue.UpdateColumnStatisticsForTableInput{DatabaseName: aws.String("d"), TableName: aws.String("t"),
		ColumnStatisticsList: []types.ColumnStatistics{{ColumnName: aws.String("latency"), ColumnType: aws.String("double"), AnalyzedTime: aws.Time(srvNow()),
			StatisticsData: &types.ColumnStatisticsData{Type: types.ColumnStatisticsTypeDouble,
				DoubleColumnStatisticsData: &types.DoubleColumnStatisticsData{MaximumValue: 9.5, MinimumValue: 0.5, NumberOfNulls: 0, NumberOfDistinctValues: 4}}}}})
	if err != nil || len(st.Errors) != 0 {
		t.Fatalf("UpdateColumnStatisticsForTable = %+v, %v", st, err)
	}
	gs, err := c.GetColumnStatisticsForTable(ctx, &glue.GetColumnStatisticsForTableInput{DatabaseName: aws.String("d"), TableName: aws.String("t"), ColumnNames: []string{"latency", "ts"}})
	if err != nil || len(gs.ColumnStatisticsList) != 1 || gs.ColumnStatisticsList[0].StatisticsData.DoubleColumnStatisticsData.MaximumValue != 9.5 || len(gs.Errors) != 1 {
		t.Fatalf("GetColumnStatisticsForTable = %+v, %v", gs, err)
	}

	if _, err := c.CreateUserDefinedFunction(ctx, &glue.CreateUserDefinedFunctionInput{DatabaseName: aws.String("d"),
		FunctionInput: &types.UserDefinedFunctionInput{FunctionName: aws.String("MyUpper"), ClassName: aws.String("com.example.Upper"), OwnerName: aws.String("me"), OwnerType: types.PrincipalTypeUser}}); err != nil {
		t.Fatal(err)
	}
	fs, err := c.GetUserDefinedFunctions(ctx, &glue.GetUserDefinedFunctionsInput{Pattern: aws.String("my*")})
	if err != nil || len(fs.UserDefinedFunctions) != 1 || aws.ToString(fs.UserDefinedFunctions[0].ClassName) != "com.example.Upper" {
		t.Fatalf("GetUserDefinedFunctions = %+v, %v", fs, err)
	}

	if _, err := c.CreateConnection(ctx, &glue.CreateConnectionInput{ConnectionInput: &types.ConnectionInput{Name: aws.String("pg"), ConnectionType: types.ConnectionTypeJdbc,
		ConnectionProperties: map[string]string{"JDBC_CONNECTION_URL": "jdbc:postgresql://db:5432/x", "USERNAME": "u", "PASSWORD": "secret"}}}); err != nil {
		t.Fatal(err)
	}
	gc, err := c.GetConnection(ctx, &glue.GetConnectionInput{Name: aws.String("pg"), HidePassword: true})
	if err != nil || gc.Connection.ConnectionProperties["USERNAME"] != "u" || gc.Connection.ConnectionProperties["PASSWORD"] != "" {
		t.Fatalf("GetConnection = %+v, %v", gc, err)
	}
	_, err = c.GetConnection(ctx, &glue.GetConnectionInput{Name: aws.String("none")})
	wantCode(t, err, "EntityNotFoundException", "")
}

func TestSearchTables(t *testing.T) {
	srv := fogbanktest.Start(t)
	c := glue.NewFromConfig(srv.Config)
	ctx := context.Background()
	for _, db := range []string{"sales", "web"} {
		if _, err := c.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &types.DatabaseInput{Name: aws.String(db)}}); err != nil {
			t.Fatal(err)
		}
	}
	c.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("web"), TableInput: logsTable("clicks")})
	c.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("sales"), TableInput: &types.TableInput{Name: aws.String("orders"),
		Description: aws.String("every order"), Parameters: map[string]string{"classification": "parquet"}}})
	c.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String("sales"), TableInput: &types.TableInput{Name: aws.String("refunds")}})
	names := func(in *glue.SearchTablesInput) string {
		t.Helper()
		var out []string
		pg := glue.NewSearchTablesPaginator(c, in)
		for pg.HasMorePages() {
			page, err := pg.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, tb := range page.TableList {
				out = append(out, aws.ToString(tb.DatabaseName)+"."+aws.ToString(tb.Name))
			}
		}
		return strings.Join(out, " ")
	}
	for _, tc := range []struct {
		in   *glue.SearchTablesInput
		want string
	}{
		{&glue.SearchTablesInput{MaxResults: aws.Int32(1)}, "sales.orders sales.refunds web.clicks"},
		{&glue.SearchTablesInput{SearchText: aws.String("latency")}, "web.clicks"}, // a column name
		{&glue.SearchTablesInput{SearchText: aws.String("ORDER")}, "sales.orders"},
		{&glue.SearchTablesInput{Filters: []types.PropertyPredicate{{Key: aws.String("DatabaseName"), Value: aws.String("sales"), Comparator: types.ComparatorEquals}}}, "sales.orders sales.refunds"},
		{&glue.SearchTablesInput{Filters: []types.PropertyPredicate{{Key: aws.String("classification"), Value: aws.String("parquet")}}}, "sales.orders"},
		{&glue.SearchTablesInput{SortCriteria: []types.SortCriterion{{FieldName: aws.String("Name"), Sort: types.SortDescending}}}, "sales.refunds sales.orders web.clicks"},
	} {
		if got := names(tc.in); got != tc.want {
			t.Errorf("SearchTables(%+v) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
