// Command consul stands in for HashiCorp's consul binary while the consul/api test suite runs (sdk/testutil execs
// `consul version -format=json` and `consul agent -config-file F`). `version` prints the emulator's own answer, saved
// by run.sh in $SELAT_CONFORMANCE_VERSION; `agent` asks the resident emulator host listening on the unix socket
// $SELAT_CONFORMANCE_HOST for an instance with these arguments, and lives as long as that instance: SIGINT or
// SIGTERM stops the instance, and if the shim is killed the socket closes and the host stops the instance.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	args := os.Args[1:]
	switch {
	case len(args) > 0 && args[0] == "version":
		version()
	case len(args) > 0 && args[0] == "agent":
		agent(args[1:])
	default:
		fail("unsupported command %q: the conformance shim knows `version` and `agent`", args)
	}
}

func version() {
	out, err := os.ReadFile(os.Getenv("SELAT_CONFORMANCE_VERSION"))
	if err != nil {
		fail("no saved version: %v", err)
	}
	os.Stdout.Write(out)
}

func agent(args []string) {
	conn, err := net.Dial("unix", os.Getenv("SELAT_CONFORMANCE_HOST"))
	if err != nil {
		fail("emulator host unreachable: %v", err)
	}
	request, _ := json.Marshal(args)
	if _, err := conn.Write(append(request, '\n')); err != nil {
		fail("emulator host: %v", err)
	}
	replies := bufio.NewReader(conn)
	reply, err := replies.ReadString('\n')
	if err != nil || !strings.HasPrefix(reply, "OK ") {
		fail("emulator host refused %q: %s %v", args, strings.TrimSpace(reply), err)
	}
	fmt.Printf("==> Consul agent running! (selat consul-emulator at %s)\n", strings.TrimSpace(strings.TrimPrefix(reply, "OK ")))

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	hostDone := make(chan struct{})
	go func() {
		replies.ReadString('\n') // "STOPPED" after our STOP, or EOF if the host went away
		close(hostDone)
	}()
	select {
	case <-signals:
		conn.Write([]byte("STOP\n"))
		select {
		case <-hostDone:
		case <-time.After(10 * time.Second):
			fail("emulator host did not stop the instance in 10 s")
		}
	case <-hostDone:
		fail("emulator host went away")
	}
}

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "consul (selat conformance shim): "+format+"\n", a...)
	os.Exit(1)
}
