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

// Command bundle writes the OLM bundle (bundle/, bundle.Dockerfile) and the
// file-based catalog (catalog/, catalog.Dockerfile) from config/manifests
// and config/manifests/release.yaml: `make bundle`.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/portico-dev/portico/internal/olmbundle"
)

func main() {
	root := flag.String("root", ".", "Repository root.")
	flag.Parse()
	files, err := olmbundle.Generate(*root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "make bundle:", err)
		os.Exit(1)
	}
	changed := files.Diff(*root)
	if err := files.Write(*root); err != nil {
		fmt.Fprintln(os.Stderr, "make bundle:", err)
		os.Exit(1)
	}
	for _, p := range changed {
		fmt.Println("wrote", p)
	}
	fmt.Printf("bundle %s: %d files, %d changed\n", olmbundle.Package, len(files), len(changed))
}
