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

package migrate

import (
	"path/filepath"
	"testing"

	"github.com/portico-dev/portico/internal/golden"
)

// TestGoldenAnnotationDoc keeps docs/traefik-annotations.md the rendering
// of the table (go test -update rewrites it).
func TestGoldenAnnotationDoc(t *testing.T) {
	golden.Check(t, filepath.Join("..", "..", "docs", "traefik-annotations.md"), Markdown())
}
