package main

import (
	"bufio"
	"encoding/json"
	"os"
	"regexp"
	"strings"
)

// outcome of one top-level test, read from `go tool test2json` events.
type outcome struct {
	action  string   // pass, fail, skip; empty when the test never finished (timeout or crash)
	elapsed float64  // seconds
	errors  []string // the test's own failure lines (file_test.go:NN: ...) and what follows them
}

type event struct {
	Action  string
	Test    string
	Output  string
	Elapsed float64
}

// A test's log line: "    kv_test.go:42: unexpected ..." (subtests indent further).
var testLogLine = regexp.MustCompile(`^\s+\w+\.go:\d+: `)

const maxErrorLines = 12

// readOutcomes parses a test2json stream into outcomes per top-level test; subtests fold into their parent.
func readOutcomes(path string) (map[string]*outcome, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	outcomes := map[string]*outcome{}
	following := map[string]bool{} // test -> the last line was an error line, keep its continuation
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 1<<20), 16<<20)
	for scanner.Scan() {
		var e event
		if json.Unmarshal(scanner.Bytes(), &e) != nil || e.Test == "" {
			continue
		}
		top, _, sub := strings.Cut(e.Test, "/")
		o := outcomes[top]
		if o == nil {
			o = &outcome{}
			outcomes[top] = o
		}
		switch e.Action {
		case "pass", "fail", "skip":
			if !sub {
				o.action, o.elapsed = e.Action, e.Elapsed
			}
		case "output":
			if !sub && o.action == "" && strings.HasPrefix(e.Output, "--- FAIL: "+top+" ") {
				// A panicking test ends the binary before test2json sees its result: only the output says it failed.
				o.action = "fail"
			}
			if !sub && strings.HasPrefix(e.Output, "panic: ") {
				o.errors = append(o.errors, strings.TrimSpace(e.Output))
			}
			keepErrorLine(o, top, e.Output, following)
		}
	}
	return outcomes, scanner.Err()
}

// keepErrorLine keeps lines a test logged that look like its failure: testify's "Error Trace" blocks
// and t.Fatalf/t.Errorf lines; the emulator's own log noise (also routed through t.Log) is skipped.
func keepErrorLine(o *outcome, test, line string, following map[string]bool) {
	line = strings.TrimRight(line, "\n")
	isErr := testLogLine.MatchString(line) && !strings.Contains(line, "CONFIG JSON") &&
		!strings.Contains(line, "test cmd args") && !isServerLog(line)
	if isErr {
		following[test] = true
	} else if !(following[test] && strings.HasPrefix(line, "        ")) {
		following[test] = false
		return
	}
	if len(o.errors) < maxErrorLines {
		o.errors = append(o.errors, strings.TrimSpace(line))
	}
}

// Server output the harness forwards to t.Log carries a log level; test failures do not.
func isServerLog(line string) bool {
	for _, level := range []string{" INFO ", " DEBUG ", " WARN ", " TRACE ", "[INFO]", "[DEBUG]", "[WARN]", "[TRACE]"} {
		if strings.Contains(line, level) {
			return true
		}
	}
	return false
}
