// Package bench compares the token_audit processor with the nearest stock
// contrib pipeline (transform with OTTL SHA256, then redaction) on the same
// batch, in one benchmark run. It is its own module so that the contrib
// dependencies stay out of the components' go.mod.
package bench
