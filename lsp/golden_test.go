package lsp

// go test ./... -update passes -update to every package: the golden
// package defines the flag.
import _ "github.com/kvetdev/kvet/internal/golden"
