package main

import "crypto/tls"

// insecure accepts the hub's self-signed certificate in tests that only read
// its pages.
func insecure() *tls.Config { return &tls.Config{InsecureSkipVerify: true} }
