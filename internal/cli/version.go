package cli

import (
	"context"
	"fmt"
	"runtime/debug"
)

// Version is set at build time with -ldflags "-X github.com/sessiond/sessiond/internal/cli.Version=v1.2.3";
// otherwise the module version or VCS revision is reported.
var Version = ""

func version(ctx context.Context, env Env, args []string) error {
	v, goVersion := Version, ""
	if info, ok := debug.ReadBuildInfo(); ok {
		goVersion = info.GoVersion
		if v == "" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && (v == "" || v == "(devel)") {
				v = "devel+" + s.Value
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	fmt.Fprintf(env.Stdout, "sessiond %s %s\n", v, goVersion)
	return nil
}
