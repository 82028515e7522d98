package lsp

// Every test binary defines kvet's one -update flag, so that
// go test ./... -update works in every package (see internal/golden).
import _ "github.com/kvetdev/kvet/internal/golden"
