// Package expr is DynamoDB's expression language as pure functions: the lexer and
// parser of condition (also filter and key condition), update and projection
// expressions, with #name and :value substitution, and their evaluation over items;
// DynamoDB numbers (38 significant digits, exponent range, canonical form,
// arithmetic) and attribute value helpers (equality, ordering, item size).
//
// Errors are worded as DynamoDB words them (the caller adds the
// "Invalid ConditionExpression: " prefix). When several problems are present, the
// one reported is chosen by a fixed order of categories that follows DynamoDB's
// observed precedence; that order is approximate.
//
// Missing: the nesting-depth limit of whole expressions (only document paths are
// checked), the 4 KB expression length limit (checked by the caller), and
// syntax-error "near" texts are close to, not always equal to, DynamoDB's.
package expr
