/*
Copyright 2026 The Portico Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

// Package cli implements the `portico` command (also `kubectl portico`):
// render gateways offline with the operator's own renderer, import an
// existing ingress-nginx installation into an IngressGateway, and show a
// cluster's fleets.
package cli

import (
	"bufio"
	"fmt"
	"io"
)

const usage = `portico: the Portico command line (also usable as "kubectl portico")

Commands:
  render   print the objects the operator would apply for IngressGateways (no cluster needed)
  import   turn an existing ingress-nginx installation into an IngressGateway and a switch-over plan
  status   show gateways' fleets: class, driver, pods per node, VIP holder, addresses, conditions, last events
  migrate-check  say what moving a gateway to the traefik driver changes for each of its Ingresses

Run "portico <command> -h" for a command's flags.
`

// Main runs the command line with args (without the program name) and
// returns the exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "render":
		return runRender(args[1:], stdin, stdout, stderr)
	case "import":
		return runImport(args[1:], stdin, stdout, stderr)
	case "status":
		return runStatus(args[1:], stdout, stderr)
	case "migrate-check":
		return runMigrateCheck(args[1:], stdin, stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "portico: unknown command %q\n\n%s", args[0], usage)
	return 2
}

func bufioReader(r io.Reader) *bufio.Reader { return bufio.NewReader(r) }
