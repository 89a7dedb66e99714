// Package report computes the county's figures — the three lists, the
// assistance ledger, older workers, gigs, station health — from a replica's
// tables, and writes the monthly report.
package report
