//go:build linux

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

package keepalived_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/portico-dev/portico/internal/keepalived"
)

// node is the namespace the rendering runs in: eth0 carries the addresses
// of the first peer of each family in cases.
const (
	nodeIP4 = "192.168.10.11"
	nodeIP6 = "fd00:10::11"
	// nodeName is ranked in the "preferred" cases (node-1), so both a
	// listed and an unlisted rank are rendered.
	nodeName = "node-1"
)

// needKeepalived skips without keepalived unless CI is set, where it is a
// failure: CI installs it with hack/install-test-deps.sh.
func needKeepalived(t *testing.T) {
	t.Helper()
	for _, bin := range []string{"keepalived", "ip"} {
		if _, err := exec.LookPath(bin); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed; CI must run hack/install-test-deps.sh first", bin)
			}
			t.Skipf("%s is not installed; run hack/install-test-deps.sh to check rendered configs with keepalived --config-test", bin)
		}
	}
}

func sh(t *testing.T, name string, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// nodeNamespace creates a namespace whose eth0 (one end of a veth pair that
// stays inside it) holds the node addresses. keepalived --config-test
// resolves interface names, so it runs in there too.
func nodeNamespace(t *testing.T) string {
	t.Helper()
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	ns := "ptc-kacfg-" + hex.EncodeToString(b)
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("cannot create a network namespace: %v: %s", err, out)
		}
		t.Skipf("cannot create a network namespace (needs root or CAP_NET_ADMIN+CAP_SYS_ADMIN): %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
	sh(t, "ip", "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0p")
	sh(t, "ip", "-n", ns, "addr", "add", nodeIP4+"/24", "dev", "eth0")
	sh(t, "ip", "-n", ns, "addr", "add", nodeIP6+"/64", "dev", "eth0", "nodad")
	sh(t, "ip", "-n", ns, "link", "set", "eth0", "up")
	sh(t, "ip", "-n", ns, "link", "set", "eth0p", "up")
	return ns
}

// renderOnNode writes the files to a config dir and runs entrypoint.sh
// --render-only in ns, returning the rendered config's path, output and
// error.
func renderOnNode(t *testing.T, ns string, files map[string]string, env ...string) (string, string, error) {
	t.Helper()
	dir := t.TempDir()
	cfgDir := filepath.Join(dir, "config")
	if err := os.MkdirAll(cfgDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(cfgDir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "keepalived.conf")
	cmd := exec.Command("ip", "netns", "exec", ns, "sh", filepath.Join(cfgDir, keepalived.EntrypointFile), "--render-only", out)
	cmd.Env = append(os.Environ(), append([]string{"RUN_DIR=" + filepath.Join(dir, "run")}, env...)...)
	msg, err := cmd.CombinedOutput()
	return out, string(msg), err
}

// TestConfigTest renders every case as a node would and requires
// keepalived --config-test to accept it without a single warning.
func TestConfigTest(t *testing.T) {
	needKeepalived(t)
	ns := nodeNamespace(t)
	for _, name := range slices.Sorted(maps.Keys(cases)) {
		t.Run(name, func(t *testing.T) {
			c := config(name)
			files, err := keepalived.Files(c)
			if err != nil {
				t.Fatal(err)
			}
			path, msg, err := renderOnNode(t, ns, files, "NODE_IP="+nodeIP4, "NODE_NAME="+nodeName, "VRRP_PASSWORD=s3cret")
			if err != nil {
				t.Fatalf("render: %v: %s", err, msg)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			conf := string(b)
			if strings.Contains(conf, "@") {
				t.Fatalf("markers left in:\n%s", conf)
			}
			out, err := exec.Command("ip", "netns", "exec", ns, "keepalived", "--config-test", "-f", path).CombinedOutput()
			if err != nil || len(out) > 0 {
				t.Fatalf("keepalived --config-test: %v\n%s\nconfig:\n%s", err, out, conf)
			}
			checkNodeSpecific(t, c, conf)
		})
	}
}

// checkNodeSpecific checks what entrypoint.sh filled in for this node.
func checkNodeSpecific(t *testing.T, c keepalived.Config, conf string) {
	t.Helper()
	if c.Interface == "" && !strings.Contains(conf, "interface eth0\n") {
		t.Error("the interface holding NODE_IP was not filled in")
	}
	if want := fmt.Sprintf("priority %d\n", keepalived.Priority(c, nodeName)); !strings.Contains(conf, want) {
		t.Errorf("this node's priority: want %q", want)
	}
	if c.Auth && !strings.Contains(conf, "auth_pass s3cret\n") {
		t.Error("VRRP_PASSWORD was not filled in")
	}
	var others4, others6 []string
	for _, p := range c.Peers {
		switch {
		case p == nodeIP4 || p == nodeIP6:
		case strings.Contains(p, ":"):
			others6 = append(others6, p)
		default:
			others4 = append(others4, p)
		}
	}
	if !c.Unicast {
		if strings.Contains(conf, "unicast") {
			t.Error("multicast config has unicast settings")
		}
		return
	}
	// The instance's family is IPv4 whenever there is an IPv4 VIP; the
	// other family's peers must not appear.
	src, others, stray := nodeIP6, others6, others4
	for _, a := range c.Addresses {
		if !strings.Contains(a, ":") {
			src, others, stray = nodeIP4, others4, others6
		}
	}
	for _, p := range stray {
		if strings.Contains(conf, p) {
			t.Errorf("peer %s of the other family listed", p)
		}
	}
	if len(others) > 0 && !strings.Contains(conf, "unicast_src_ip "+src+"\n") {
		t.Errorf("no unicast_src_ip %s", src)
	}
	for _, p := range others {
		if !strings.Contains(conf, "        "+p+"\n") {
			t.Errorf("peer %s missing", p)
		}
	}
	if strings.Contains(conf, "        "+nodeIP4+"\n") || strings.Contains(conf, "        "+nodeIP6+"\n") {
		t.Error("the node lists itself as a unicast peer")
	}
	if len(others4) == 0 && len(others6) == 0 && strings.Contains(conf, "unicast") {
		t.Error("a lone node must not render an empty unicast_peer block (keepalived warns)")
	}
}

// TestRenderErrors checks that entrypoint.sh refuses, with a clear message,
// what it cannot render.
func TestRenderErrors(t *testing.T) {
	needKeepalived(t)
	ns := nodeNamespace(t)
	files, err := keepalived.Files(config("auth"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		env  []string
		want string
	}{
		{"no NODE_IP", []string{"VRRP_PASSWORD=s3cret"}, "NODE_IP is unset"},
		{"NODE_IP not on this node", []string{"NODE_IP=192.168.10.99", "VRRP_PASSWORD=s3cret"}, "no interface holds NODE_IP 192.168.10.99"},
		{"no password", []string{"NODE_IP=" + nodeIP4}, "VRRP_PASSWORD must be 1-8 characters"},
		{"long password", []string{"NODE_IP=" + nodeIP4, "VRRP_PASSWORD=123456789"}, "VRRP_PASSWORD must be 1-8 characters"},
		{"password that would break the config", []string{"NODE_IP=" + nodeIP4, "VRRP_PASSWORD=a }#b"}, "VRRP_PASSWORD must be 1-8 characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := append([]string{"NODE_IP=", "VRRP_PASSWORD="}, tc.env...)
			_, msg, err := renderOnNode(t, ns, files, env...)
			if err == nil || !strings.Contains(msg, tc.want) {
				t.Fatalf("err %v, output %q; want failure mentioning %q", err, msg, tc.want)
			}
		})
	}
	// Ranked nodes need NODE_NAME to find this node's priority.
	files, err = keepalived.Files(config("preferred"))
	if err != nil {
		t.Fatal(err)
	}
	if _, msg, err := renderOnNode(t, ns, files, "NODE_IP="+nodeIP4, "NODE_NAME="); err == nil || !strings.Contains(msg, "NODE_NAME is unset") {
		t.Fatalf("err %v, output %q", err, msg)
	}
	// IPv6 unicast needs this node's IPv6 address among the peers.
	c := config("v6-unicast")
	c.Peers = []string{"fd00:10::12"}
	files, err = keepalived.Files(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, msg, err := renderOnNode(t, ns, files, "NODE_IP="+nodeIP4); err == nil || !strings.Contains(msg, "unicast IPv6 needs this node's IPv6 address") {
		t.Fatalf("err %v, output %q", err, msg)
	}
}

// TestScriptsParse runs the shell's syntax check on every rendered script,
// and shellcheck when it is installed.
func TestScriptsParse(t *testing.T) {
	files, err := keepalived.Files(config("dual-stack-unicast"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{keepalived.EntrypointFile, keepalived.CheckFile, keepalived.NotifyFile} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(files[name]), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command("sh", "-n", path).CombinedOutput(); err != nil {
			t.Errorf("sh -n %s: %v: %s", name, err, out)
		}
		if _, err := exec.LookPath("shellcheck"); err == nil {
			if out, err := exec.Command("shellcheck", "-s", "sh", path).CombinedOutput(); err != nil {
				t.Errorf("shellcheck %s: %v:\n%s", name, err, out)
			}
		}
	}
}
