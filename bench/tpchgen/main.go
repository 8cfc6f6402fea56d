// Command tpchgen writes TPC-H data at a scale factor as '|'-separated text,
// one file per table (dir/<table>.tbl), with go-tpc's port of TPC's dbgen.
// It is a module of its own so that fogbank's go.mod does not carry it;
// bench/athena-tpch.sh runs it and converts the files to Parquet.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/pingcap/go-tpc/tpch/dbgen"
)

type loader struct {
	w    *bufio.Writer
	f    *os.File
	line func(w *bufio.Writer, item any)
}

func (l *loader) Load(item any) error { l.line(l.w, item); return nil }
func (l *loader) Flush() error        { return l.w.Flush() }

func main() {
	sf := flag.Int64("sf", 1, "scale factor")
	dir := flag.String("dir", ".", "output directory")
	flag.Parse()
	open := func(name string, line func(w *bufio.Writer, item any)) *loader {
		f, err := os.Create(filepath.Join(*dir, name+".tbl"))
		if err != nil {
			log.Fatal(err)
		}
		return &loader{w: bufio.NewWriterSize(f, 1<<20), f: f, line: line}
	}
	m := dbgen.FmtMoney
	loaders := map[dbgen.Table]*loader{
		dbgen.TOrder: open("orders", func(w *bufio.Writer, item any) {
			o := item.(*dbgen.Order)
			fmt.Fprintf(w, "%d|%d|%c|%s|%s|%s|%s|%d|%s\n", o.OKey, o.CustKey, o.Status, m(o.TotalPrice), o.Date, o.OrderPriority, o.Clerk, o.ShipPriority, o.Comment)
		}),
		dbgen.TLine: open("lineitem", func(w *bufio.Writer, item any) {
			for _, l := range item.(*dbgen.Order).Lines {
				fmt.Fprintf(w, "%d|%d|%d|%d|%d|%s|%s|%s|%c|%c|%s|%s|%s|%s|%s|%s\n", l.OKey, l.PartKey, l.SuppKey, l.LCnt, l.Quantity,
					m(l.EPrice), m(l.Discount), m(l.Tax), l.RFlag, l.LStatus, l.SDate, l.CDate, l.RDate, l.ShipInstruct, l.ShipMode, l.Comment)
			}
		}),
		dbgen.TPart: open("part", func(w *bufio.Writer, item any) {
			p := item.(*dbgen.Part)
			fmt.Fprintf(w, "%d|%s|%s|%s|%s|%d|%s|%s|%s\n", p.PartKey, p.Name, p.Mfgr, p.Brand, p.Type, p.Size, p.Container, m(p.RetailPrice), p.Comment)
		}),
		dbgen.TPsupp: open("partsupp", func(w *bufio.Writer, item any) {
			for _, s := range item.(*dbgen.Part).S {
				fmt.Fprintf(w, "%d|%d|%d|%s|%s\n", s.PartKey, s.SuppKey, s.Qty, m(s.SCost), s.Comment)
			}
		}),
		dbgen.TSupp: open("supplier", func(w *bufio.Writer, item any) {
			s := item.(*dbgen.Supp)
			fmt.Fprintf(w, "%d|%s|%s|%d|%s|%s|%s\n", s.SuppKey, s.Name, s.Address, s.NationCode, s.Phone, m(s.Acctbal), s.Comment)
		}),
		dbgen.TCust: open("customer", func(w *bufio.Writer, item any) {
			c := item.(*dbgen.Cust)
			fmt.Fprintf(w, "%d|%s|%s|%d|%s|%s|%s|%s\n", c.CustKey, c.Name, c.Address, c.NationCode, c.Phone, m(c.Acctbal), c.MktSegment, c.Comment)
		}),
		dbgen.TNation: open("nation", func(w *bufio.Writer, item any) {
			n := item.(*dbgen.Nation)
			fmt.Fprintf(w, "%d|%s|%d|%s\n", n.Code, n.Text, n.Join, n.Comment)
		}),
		dbgen.TRegion: open("region", func(w *bufio.Writer, item any) {
			r := item.(*dbgen.Region)
			fmt.Fprintf(w, "%d|%s|%s\n", r.Code, r.Text, r.Comment)
		}),
	}
	all := map[dbgen.Table]dbgen.Loader{}
	for t, l := range loaders {
		all[t] = l
	}
	dbgen.InitDbGen(*sf)
	if err := dbgen.DbGen(all, []dbgen.Table{dbgen.TNation, dbgen.TRegion, dbgen.TCust, dbgen.TSupp, dbgen.TPartPsupp, dbgen.TOrderLine}); err != nil {
		log.Fatal(err)
	}
	for _, l := range loaders {
		if err := l.w.Flush(); err != nil {
			log.Fatal(err)
		}
		if err := l.f.Close(); err != nil {
			log.Fatal(err)
		}
	}
}
