//go:build !unix

package manifest

import "os"

// openFile opens p for reading.
func openFile(p string, _ bool) (*os.File, error) { return os.Open(p) }
