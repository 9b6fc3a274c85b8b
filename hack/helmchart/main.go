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

// Command helmchart writes charts/portico from config/ (make helm-chart).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/portico-dev/portico/internal/helmchart"
)

func main() {
	root := flag.String("root", ".", "Repository root.")
	flag.Parse()
	files, err := helmchart.Generate(*root)
	if err == nil {
		var n int
		n, err = helmchart.Write(*root, files)
		fmt.Printf("chart %s: %d files, %d changed\n", helmchart.Dir, len(files), n)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "make helm-chart:", err)
		os.Exit(1)
	}
}
