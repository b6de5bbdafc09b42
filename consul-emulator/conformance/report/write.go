package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// writeResults writes one line per test (status, family, name, seconds, note) after the summary.
func writeResults(path string, verdicts []verdict, summary string) error {
	var b strings.Builder
	b.WriteString(summary)
	b.WriteString("\n")
	for _, v := range verdicts {
		secs := 0.0
		if v.outcome != nil {
			secs = v.outcome.elapsed
		}
		fmt.Fprintf(&b, "%-8s %-13s %-55s %6.2fs %s\n", v.status, v.family.name, v.test, secs, v.note)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// writeFailures writes FAILURES.md for the server engineer: per failing test, what the test logged
// (usually the server's answer against what the test wants) and where to read the test and Consul.
func writeFailures(path string, verdicts []verdict, apiVersion, wall string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# consul/api %s conformance failures\n\n", apiVersion)
	fmt.Fprintf(&b, "Written by `run.sh` on %s (wall time %s); refreshed on every run. Each entry: the test's\n",
		time.Now().UTC().Format(time.RFC3339), wall)
	b.WriteString("own failure lines (the server's answer against what the test wants), the test source in\n")
	fmt.Fprintf(&b, "`github.com/hashicorp/consul/api@%s`, and the Consul source that answers the endpoint.\n", apiVersion)
	failures := 0
	for _, f := range sortedFamilies(familiesOf(verdicts)) {
		first := true
		for _, v := range verdicts {
			if v.family.name != f.name || v.status != failed {
				continue
			}
			if first {
				fmt.Fprintf(&b, "\n## %s (required: %v)\n", f.name, f.required)
				first = false
			}
			failures++
			fmt.Fprintf(&b, "\n### %s\n- %s\n- test: api/%s:%d\n- Consul: hashicorp/consul %s\n",
				v.test, v.note, v.source.file, v.source.line, v.family.consul)
			if v.outcome != nil && len(v.outcome.errors) > 0 {
				fmt.Fprintf(&b, "```\n%s\n```\n", strings.Join(v.outcome.errors, "\n"))
			}
		}
	}
	if failures == 0 {
		b.WriteString("\nNo failures.\n")
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func familiesOf(verdicts []verdict) map[string]family {
	out := map[string]family{}
	for _, v := range verdicts {
		out[v.family.name] = v.family
	}
	return out
}
