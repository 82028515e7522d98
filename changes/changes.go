// Package changes knows which lines of a git repository's files changed
// since a revision (kvet lint --new-from-rev REV), by running git diff.
package changes

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// Set is the lines changed since a revision: the difference between the
// revision and the working tree (staged and unstaged changes included),
// and the files git does not track.
type Set struct {
	root string
	// lines are the changed lines of each changed file (by its path from
	// the repository's root, with forward slashes), as sorted ranges.
	lines map[string][]span
	// tracked are the files git tracks.
	tracked map[string]bool

	mu    sync.Mutex
	where map[string]place
}

type span struct{ from, to int } // lines from..to, inclusive

// place is where a finding's file is, for the Set.
type place struct {
	rel     string
	outside bool
}

// Since runs git in dir's repository and returns the lines changed since
// rev. Its errors say what to do: not a git repository, git not installed,
// a revision that is not there (a shallow clone).
func Since(ctx context.Context, dir, rev string) (*Set, error) {
	if rev == "" || strings.HasPrefix(rev, "-") {
		return nil, fmt.Errorf("--new-from-rev %q: give a revision (a commit, branch or tag, such as origin/main)", rev)
	}
	top, err := git(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("--new-from-rev needs a git repository: %w", err)
	}
	root := strings.TrimRight(string(top), "\r\n")
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	if _, err := git(ctx, root, "rev-parse", "--verify", "--quiet", rev+"^{commit}"); err != nil {
		return nil, fmt.Errorf("--new-from-rev %s: no such commit in %s; fetch it first (in a shallow clone, such as actions/checkout makes by default, fetch the history: fetch-depth: 0)", rev, root)
	}
	s := &Set{root: root, lines: map[string][]span{}, tracked: map[string]bool{}, where: map[string]place{}}
	files, err := git(ctx, root, "ls-files", "-z")
	if err != nil {
		return nil, fmt.Errorf("--new-from-rev: %w", err)
	}
	for _, f := range bytes.Split(files, []byte{0}) {
		if len(f) > 0 {
			s.tracked[string(f)] = true
		}
	}
	cmd := exec.CommandContext(ctx, "git", "-C", root, "-c", "core.quotePath=false", "diff",
		"--no-color", "--no-ext-diff", "--no-textconv", "-M", "-U0", "--src-prefix=a/", "--dst-prefix=b/", rev, "--")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("--new-from-rev: running git: %w", err)
	}
	perr := s.parse(out)
	_, _ = io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("--new-from-rev: git diff %s: %w: %s", rev, err, strings.TrimSpace(stderr.String()))
	}
	if perr != nil {
		return nil, fmt.Errorf("--new-from-rev: reading git diff %s: %w", rev, perr)
	}
	return s, nil
}

// git runs git in dir and returns its output.
func git(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if msg := strings.TrimSpace(stderr.String()); msg != "" {
				return nil, fmt.Errorf("git %s: %s", args[0], msg)
			}
		}
		return nil, fmt.Errorf("git %s: %w", args[0], err)
	}
	return out, nil
}

// parse reads a unified diff made with -U0: for each file, the "+++ b/"
// line names it and each hunk's "+c,d" its changed lines.
func (s *Set) parse(r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	file := ""
	oldLeft, newLeft := 0, 0
	for {
		line, err := readLine(br)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if oldLeft > 0 || newLeft > 0 {
			// A hunk's own lines: skipped by count, so content that
			// looks like a header ("+++ x" added) is never taken for one.
			switch {
			case strings.HasPrefix(line, "-") && oldLeft > 0:
				oldLeft--
				continue
			case strings.HasPrefix(line, "+") && newLeft > 0:
				newLeft--
				continue
			case strings.HasPrefix(line, `\`):
				continue
			}
			oldLeft, newLeft = 0, 0
		}
		switch {
		case strings.HasPrefix(line, "diff --git "):
			file = ""
		case strings.HasPrefix(line, "+++ "):
			file = ""
			name := line[4:]
			if uq, err := strconv.Unquote(name); err == nil && strings.HasPrefix(name, `"`) {
				name = uq
			}
			if rest, ok := strings.CutPrefix(name, "b/"); ok {
				file = rest
				if _, seen := s.lines[file]; !seen {
					s.lines[file] = nil
				}
			}
		case strings.HasPrefix(line, "@@ ") && file != "":
			o, n, sp, ok := hunk(line)
			if !ok {
				return fmt.Errorf("unreadable hunk header %q", line)
			}
			oldLeft, newLeft = o, n
			s.lines[file] = append(s.lines[file], sp)
		}
	}
}

// readLine reads one line without its end; a line longer than the
// buffer is cut (only headers are read, and they are short).
func readLine(br *bufio.Reader) (string, error) {
	line, isPrefix, err := br.ReadLine()
	if err != nil {
		return "", err
	}
	s := string(line)
	for isPrefix {
		_, isPrefix, err = br.ReadLine()
		if err != nil {
			break
		}
	}
	return s, nil
}

// hunk reads "@@ -a[,b] +c[,d] @@": the counts of old and new lines and
// the new lines changed. A pure deletion (d = 0, after line c) marks lines
// c and c+1, the lines around the gap, so that a finding about a field
// that was removed (reported at its parent or its neighbour) is new.
func hunk(h string) (oldN, newN int, sp span, ok bool) {
	f := strings.Fields(h)
	if len(f) < 4 || !strings.HasPrefix(f[1], "-") || !strings.HasPrefix(f[2], "+") {
		return 0, 0, span{}, false
	}
	_, oldN, ok1 := rangeOf(f[1][1:])
	start, newN, ok2 := rangeOf(f[2][1:])
	if !ok1 || !ok2 {
		return 0, 0, span{}, false
	}
	if newN == 0 {
		return oldN, 0, span{max(start, 1), start + 1}, true
	}
	return oldN, newN, span{start, start + newN - 1}, true
}

// maxLine bounds the line numbers read, so that no sum overflows.
const maxLine = 1 << 40

func rangeOf(s string) (start, n int, ok bool) {
	a, b, comma := strings.Cut(s, ",")
	start, err := strconv.Atoi(a)
	if err != nil || start < 0 || start > maxLine {
		return 0, 0, false
	}
	n = 1
	if comma {
		if n, err = strconv.Atoi(b); err != nil || n < 0 || n > maxLine {
			return 0, 0, false
		}
	}
	return start, n, true
}

// Changed reports whether line of file (a path as kvet names it: relative
// to the current folder, or absolute) is new since the revision: on a
// changed line, or anywhere in a file git does not track (new, ignored, or
// outside the repository), whose history git cannot tell. Line 0 (a
// finding about a whole file) is new when the file changed at all.
func (s *Set) Changed(file string, line int) bool {
	p := s.placeOf(file)
	if p.outside || !s.tracked[p.rel] {
		return true
	}
	spans, changed := s.lines[p.rel]
	if !changed {
		return false
	}
	if line <= 0 {
		return true
	}
	for _, sp := range spans {
		if line >= sp.from && line <= sp.to {
			return true
		}
	}
	return false
}

// placeOf finds file in the repository, once per file.
func (s *Set) placeOf(file string) place {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.where[file]; ok {
		return p
	}
	p := place{outside: true}
	if abs, err := filepath.Abs(file); err == nil {
		if _, err := os.Lstat(abs); err == nil {
			if real, err := filepath.EvalSymlinks(abs); err == nil {
				abs = real
			}
			if rel, err := filepath.Rel(s.root, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				p = place{rel: filepath.ToSlash(rel)}
			}
		}
	}
	s.where[file] = p
	return p
}

// Root is the repository's top-level folder.
func (s *Set) Root() string { return s.root }
