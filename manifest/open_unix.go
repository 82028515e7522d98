//go:build unix

package manifest

import (
	"os"
	"syscall"
)

// openFile opens p for reading; a file found by a walk is opened without
// blocking, so that a named pipe that took its place after the walk
// cannot hang the run (readSource then refuses it: not a regular file).
func openFile(p string, walked bool) (*os.File, error) {
	if !walked {
		return os.Open(p)
	}
	return os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
