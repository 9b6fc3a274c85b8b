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

// Package traefiksrc finds the source of the Traefik release the traefik
// driver targets, so tests can check what Portico renders against
// Traefik's own configuration types and documentation. Traefik cannot be
// built or run here; its module zip holds both the Go source and the docs.
package traefiksrc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sync"
)

// Module and Version name the Traefik release the driver renders for.
const (
	Module  = "github.com/traefik/traefik/v3"
	Version = "v3.7.13"
)

var (
	once sync.Once
	dir  string
	err  error
)

// Dir returns the directory of Traefik's module source in the module cache,
// downloading it first when needed (go mod download, outside any module so
// that Portico's go.mod and go.sum are not touched).
func Dir() (string, error) {
	once.Do(func() {
		tmp, e := os.MkdirTemp("", "traefiksrc")
		if e != nil {
			err = e
			return
		}
		defer func() { _ = os.RemoveAll(tmp) }()
		cmd := exec.Command("go", "mod", "download", "-json", Module+"@"+Version)
		cmd.Dir = tmp
		cmd.Env = append(os.Environ(), "GOFLAGS=", "GO111MODULE=on")
		var out, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &stderr
		if e := cmd.Run(); e != nil {
			err = fmt.Errorf("go mod download %s@%s: %w: %s%s", Module, Version, e, stderr.String(), out.String())
			return
		}
		var info struct{ Dir, Error string }
		if e := json.Unmarshal(out.Bytes(), &info); e != nil {
			err = fmt.Errorf("go mod download %s@%s: %w", Module, Version, e)
			return
		}
		if info.Error != "" || info.Dir == "" {
			err = fmt.Errorf("go mod download %s@%s: %s", Module, Version, info.Error)
			return
		}
		dir = info.Dir
	})
	return dir, err
}
