// Package partiql translates DynamoDB's PartiQL statements into the expression
// syntax of the item API: SELECT (projection, FROM "table" or "table"."index",
// WHERE), INSERT INTO ... VALUE {...}, UPDATE ... SET/REMOVE ... WHERE, DELETE
// FROM ... WHERE, with ? parameters, string/number/boolean/null literals, lists
// [..], tuples {..} and sets <<..>>, IS [NOT] MISSING, BETWEEN, IN and the
// DynamoDB functions. The service then runs the statement as a Query, Scan,
// PutItem, UpdateItem or DeleteItem.
//
// Missing: RETURNING, EXISTS(), nested SELECTs, arithmetic beyond one + or - in
// SET, and DynamoDB's exact parser error texts (errors say the statement was not
// well formed, with fogbank's own detail).
package partiql
