// Command report compares a run of HashiCorp's consul/api test suite against Selat's lists
// (expected-pass.txt, excluded.txt), prints passed/excluded/failed per family, writes the results
// file and FAILURES.md, and exits non-zero when an expected test fails or a test is on neither list.
package main

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
)

type status string

const (
	passed   status = "passed"
	excluded status = "excluded"
	failed   status = "failed"
)

// verdict is one test's place in the report.
type verdict struct {
	test    string
	family  family
	source  testSource
	status  status
	outcome *outcome
	note    string // the exclusion reason, or the problem that fails the run
	problem bool
}

func main() {
	all := flag.String("tests", "", "file with every test name (api.test -test.list '.*')")
	events := flag.String("events", "", "test2json output of the run; empty for a dry run")
	expectedPath := flag.String("expected", "expected-pass.txt", "tests that must pass")
	excludedPath := flag.String("excluded", "excluded.txt", "tests excluded, with reasons")
	apiDir := flag.String("api", "", "the github.com/hashicorp/consul/api module directory")
	apiVersion := flag.String("api-version", "", "its version, for links")
	resultsPath := flag.String("results", "out/results.txt", "results file to write")
	failuresPath := flag.String("failures", "FAILURES.md", "failure report to write")
	wall := flag.String("wall", "", "wall time of the run, for the summary")
	includeExcluded := flag.Bool("include-excluded", false, "with -unfinished: the excluded tests are to run too")
	unfinished := flag.Bool("unfinished", false, "only print the tests to run that have no outcome in -events yet")
	flag.Parse()

	if *unfinished {
		if err := printUnfinished(*all, *events, *excludedPath, *includeExcluded); err != nil {
			fmt.Fprintln(os.Stderr, "report:", err)
			os.Exit(2)
		}
		return
	}

	dry := *events == ""
	verdicts, listProblems, err := judge(*all, *events, *expectedPath, *excludedPath, *apiDir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(2)
	}
	summary := summarize(verdicts, dry, *wall)
	fmt.Print(summary)
	problems := append(listProblems, problemsOf(verdicts)...)
	for _, p := range problems {
		fmt.Println("PROBLEM:", p)
	}
	if !dry {
		if err := writeResults(*resultsPath, verdicts, summary); err != nil {
			fmt.Fprintln(os.Stderr, "report:", err)
			os.Exit(2)
		}
		if err := writeFailures(*failuresPath, verdicts, *apiVersion, *wall); err != nil {
			fmt.Fprintln(os.Stderr, "report:", err)
			os.Exit(2)
		}
	}
	if dry {
		fmt.Printf("conformance dry run: %d tests, %d expected to pass, %d excluded, %d on neither list\n",
			len(verdicts), count(verdicts, passed), count(verdicts, excluded), count(verdicts, failed))
		return
	}
	fmt.Printf("conformance: %d passed, %d failed\n", count(verdicts, passed), count(verdicts, failed))
	if len(problems) > 0 {
		os.Exit(1)
	}
}

// judge places every test of the suite: excluded, passed, or failed, and notes list problems.
func judge(allPath, eventsPath, expectedPath, excludedPath, apiDir string) ([]verdict, []string, error) {
	expected, err := readExpected(expectedPath)
	if err != nil {
		return nil, nil, err
	}
	reasons, err := readExcluded(excludedPath)
	if err != nil {
		return nil, nil, err
	}
	sources, err := indexSources(apiDir)
	if err != nil {
		return nil, nil, err
	}
	outcomes := map[string]*outcome{}
	if eventsPath != "" {
		if outcomes, err = readOutcomes(eventsPath); err != nil {
			return nil, nil, err
		}
	}
	var tests []string
	if err := eachLine(allPath, func(line string, _ int) error { tests = append(tests, line); return nil }); err != nil {
		return nil, nil, err
	}
	known := map[string]bool{}
	var verdicts []verdict
	for _, t := range tests {
		known[t] = true
		v := verdict{test: t, source: sources[t], family: familyOf(sources[t].file), outcome: outcomes[t]}
		place(&v, expected[t], reasons, eventsPath == "")
		verdicts = append(verdicts, v)
	}
	var problems []string
	for _, list := range []map[string]bool{expected, keys(reasons)} {
		for t := range list {
			if !known[t] {
				problems = append(problems, fmt.Sprintf("%s is listed but the suite has no such test", t))
			}
		}
	}
	sort.Strings(problems)
	return verdicts, problems, nil
}

// place gives a test its status; in a dry run (no outcomes) "passed" means "expected to pass".
func place(v *verdict, isExpected bool, reasons map[string]string, dry bool) {
	reason, isExcluded := reasons[v.test]
	ran := "did not run to the end"
	if dry {
		ran = "not run"
		if isExpected && !isExcluded {
			ran = "pass"
		}
	}
	if v.outcome != nil && v.outcome.action != "" {
		ran = v.outcome.action
	}
	switch {
	case isExpected && isExcluded:
		v.status, v.problem, v.note = failed, true, "is on both lists"
	case isExcluded && ran == "pass":
		v.status, v.note = excluded, reason+" (passes now: consider expected-pass.txt)"
	case isExcluded:
		v.status, v.note = excluded, reason
	case ran == "pass":
		v.status = passed
		if !isExpected {
			v.problem, v.note = true, "passes but is on neither list: add it to expected-pass.txt"
		}
	case isExpected:
		v.status, v.problem, v.note = failed, true, "expected to pass, "+ran
	default:
		v.status, v.problem, v.note = failed, true, "on neither list, "+ran
	}
}

// printUnfinished lists the tests still to run: a test that panics ends the whole test binary, so run.sh runs the
// suite again for the tests that had no outcome yet.
func printUnfinished(allPath, eventsPath, excludedPath string, includeExcluded bool) error {
	reasons, err := readExcluded(excludedPath)
	if err != nil {
		return err
	}
	outcomes, err := readOutcomes(eventsPath)
	if err != nil {
		return err
	}
	return eachLine(allPath, func(test string, _ int) error {
		_, isExcluded := reasons[test]
		if o := outcomes[test]; (o == nil || o.action == "") && (includeExcluded || !isExcluded) {
			fmt.Println(test)
		}
		return nil
	})
}

func keys(m map[string]string) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

func count(verdicts []verdict, s status) int {
	n := 0
	for _, v := range verdicts {
		if v.status == s {
			n++
		}
	}
	return n
}

func problemsOf(verdicts []verdict) []string {
	var out []string
	for _, v := range verdicts {
		if v.problem {
			out = append(out, v.test+" "+v.note)
		}
	}
	return out
}

// summarize renders the per-family table; a dry run shows what the lists promise instead of outcomes.
func summarize(verdicts []verdict, dry bool, wall string) string {
	families := map[string]family{}
	rows := map[string]map[status]int{}
	for _, v := range verdicts {
		families[v.family.name] = v.family
		if rows[v.family.name] == nil {
			rows[v.family.name] = map[status]int{}
		}
		rows[v.family.name][v.status]++
	}
	var b strings.Builder
	heading, failing := "passed", "failed"
	if dry {
		heading, failing = "expected", "unlisted"
	}
	fmt.Fprintf(&b, "%-14s %-8s %6s %8s %8s %8s\n", "family", "required", "tests", heading, "excluded", failing)
	for _, f := range sortedFamilies(families) {
		r := rows[f.name]
		fmt.Fprintf(&b, "%-14s %-8v %6d %8d %8d %8d\n", f.name, f.required, r[passed]+r[excluded]+r[failed], r[passed], r[excluded], r[failed])
	}
	fmt.Fprintf(&b, "%-14s %-8s %6d %8d %8d %8d\n", "total", "", len(verdicts), count(verdicts, passed), count(verdicts, excluded), count(verdicts, failed))
	if wall != "" {
		fmt.Fprintf(&b, "wall time: %s\n", wall)
	}
	return b.String()
}
