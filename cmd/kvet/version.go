package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/kvetdev/kvet/kubeversion"
)

// Set at release time by GoReleaser (.goreleaser.yaml):
//
//	-ldflags "-X main.version=v1.2.3 -X main.commit=<sha> -X main.date=<RFC 3339>"
//
// Otherwise they come from the build info: the module's version for `go
// install ...@v1.2.3`, and git's revision and time, which go build records
// in a checkout (vcs.revision, vcs.time).
var (
	version = ""
	commit  = ""
	date    = ""
)

func kvetVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func runVersion(w io.Writer) int {
	bi, _ := debug.ReadBuildInfo()
	_, _ = io.WriteString(w, versionText(kvetVersion(), commit, date, bi))
	return exitOK
}

// versionText is what kvet version prints: the tag, the commit it was
// built from (and when), the Kubernetes release whose API server
// validation is compiled in and the range of --kube-version, and the Go
// toolchain.
func versionText(tag, rev, when string, bi *debug.BuildInfo) string {
	// A snapshot GoReleaser could not read git for stamps "none" and the
	// zero time: the build info's are better.
	if rev == "none" {
		rev = ""
	}
	if strings.HasPrefix(when, "0001-01-01") {
		when = ""
	}
	modified := false
	k8s := ""
	if bi != nil {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if rev == "" {
					rev = s.Value
				}
			case "vcs.time":
				if when == "" {
					when = s.Value
				}
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		for _, d := range bi.Deps {
			if d.Path == "k8s.io/kubernetes" {
				k8s = d.Version
				if d.Replace != nil {
					k8s = d.Replace.Version
				}
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "kvet %s\n", tag)
	if rev == "" {
		b.WriteString("commit:     unknown (not built from a git checkout)\n")
	} else {
		if modified {
			rev += " (modified)"
		}
		if when != "" {
			rev += ", " + when
		}
		fmt.Fprintf(&b, "commit:     %s\n", rev)
	}
	validation := ""
	if k8s != "" {
		validation = "API server validation of k8s.io/kubernetes " + k8s + "; "
	}
	fmt.Fprintf(&b, "kubernetes: %s (%s--kube-version %s to %s)\n", defaultKubeVersion, validation, kubeversion.Oldest(), kubeversion.Latest())
	fmt.Fprintf(&b, "go:         %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return b.String()
}
