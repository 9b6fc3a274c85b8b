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
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/portico-dev/portico/internal/golden"
	"github.com/portico-dev/portico/internal/keepalived"
)

func base() keepalived.Config {
	return keepalived.Config{
		Instance:           "portico_ingress_public",
		RouterID:           51,
		Addresses:          []string{"192.168.10.15/24"},
		Unicast:            true,
		Peers:              []string{"192.168.10.11", "192.168.10.12", "192.168.10.13"},
		GARPRefreshSeconds: keepalived.DefaultGARPRefreshSeconds,
		HealthzURL:         "http://127.0.0.1:10254/healthz",
		LeaseName:          "public-vip",
	}
}

// cases are the configurations every test renders; configtest_test.go runs
// each through entrypoint.sh and keepalived --config-test.
var cases = map[string]func(*keepalived.Config){
	"v4-unicast": func(*keepalived.Config) {},
	"v4-multicast": func(c *keepalived.Config) {
		c.Unicast = false
	},
	"v6-unicast": func(c *keepalived.Config) {
		c.Addresses = []string{"fd00:10::15/64"}
		c.Peers = []string{"fd00:10::11", "fd00:10::12", "fd00:10::13"}
	},
	"dual-stack-unicast": func(c *keepalived.Config) {
		c.Addresses = []string{"192.168.10.15/24", "fd00:10::15/64", "192.168.10.16/32"}
		c.Peers = []string{"192.168.10.11", "192.168.10.12", "fd00:10::11", "fd00:10::12"}
	},
	"dual-stack-multicast": func(c *keepalived.Config) {
		c.Addresses = []string{"fd00:10::15/64", "192.168.10.15/24"}
		c.Unicast = false
		c.Peers = nil
	},
	"auth": func(c *keepalived.Config) {
		c.Auth = true
		c.AdvertIntervalMilliseconds = 1000
	},
	"auth-default-interval": func(c *keepalived.Config) {
		c.Auth = true
	},
	"preferred": func(c *keepalived.Config) {
		c.PreferredNodes = []string{"node-1", "node-2"}
	},
	"preempt": func(c *keepalived.Config) {
		c.PreferredNodes = []string{"node-1"}
		c.Preempt = true
	},
	"preempt-delay": func(c *keepalived.Config) {
		c.PreferredNodes = []string{"node-2", "node-1"}
		c.Preempt = true
		c.PreemptDelaySeconds = 30
	},
	"sub-second-advert": func(c *keepalived.Config) {
		c.AdvertIntervalMilliseconds = 250
	},
	"whole-second-advert": func(c *keepalived.Config) {
		c.AdvertIntervalMilliseconds = 2000
	},
	"garp-off": func(c *keepalived.Config) {
		c.GARPRefreshSeconds = 0
	},
	"explicit-interface": func(c *keepalived.Config) {
		c.Interface = "eth0"
		c.LeaseName = ""
	},
	"lone-node": func(c *keepalived.Config) {
		c.Peers = []string{"192.168.10.11"}
	},
}

func config(name string) keepalived.Config {
	c := base()
	cases[name](&c)
	return c
}

// TestGolden pins the rendered template of every case
// (go test ./internal/keepalived -update rewrites testdata).
func TestGolden(t *testing.T) {
	for _, name := range slices.Sorted(maps.Keys(cases)) {
		t.Run(name, func(t *testing.T) {
			files, err := keepalived.Files(config(name))
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", name+".conf.tmpl"), []byte(files[keepalived.TemplateFile]))
			again, _ := keepalived.Files(config(name))
			if !maps.Equal(files, again) {
				t.Fatal("two renders of one config differ")
			}
		})
	}
}

func TestFileSet(t *testing.T) {
	files, err := keepalived.Files(base())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"check.sh", "entrypoint.sh", "keepalived.conf.tmpl", "notify.sh", "peers"}
	if got := slices.Sorted(maps.Keys(files)); !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	if got := files[keepalived.PeersFile]; got != "192.168.10.11\n192.168.10.12\n192.168.10.13\n" {
		t.Errorf("peers %q", got)
	}
	for name, body := range files {
		if strings.Contains(body, "@SETTINGS@") {
			t.Errorf("%s: settings marker left in", name)
		}
		if strings.HasSuffix(name, ".sh") && !strings.HasPrefix(body, "#!/bin/sh\n") {
			t.Errorf("%s: no /bin/sh shebang", name)
		}
	}
	for _, want := range []string{"HEALTHZ_URL='http://127.0.0.1:10254/healthz'\n", "--max-time 1"} {
		if !strings.Contains(files[keepalived.CheckFile], want) {
			t.Errorf("check.sh lacks %q", want)
		}
	}
	for _, want := range []string{"LEASE_NAME='public-vip'\n", "VIPS='192.168.10.15/24'\n"} {
		if !strings.Contains(files[keepalived.NotifyFile], want) {
			t.Errorf("notify.sh lacks %q", want)
		}
	}
}

// TestSemantics checks the keepalived settings the failover behaviour
// rests on, in every case.
func TestSemantics(t *testing.T) {
	for name := range cases {
		c := config(name)
		files, err := keepalived.Files(c)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		conf := files[keepalived.TemplateFile]
		inst := keepalived.InstanceName(c)
		for _, want := range []string{
			"state BACKUP", "init_fail", "interval 1\n", "fall 2\n", "rise 2\n",
			"portico_healthz weight 0", "vrrp_garp_master_repeat 5", "vrrp_garp_master_delay 5",
		} {
			if n := strings.Count(conf, want); n == 0 {
				t.Errorf("%s: missing %q", name, want)
			}
		}
		// One instance, whatever the families: one election moves every
		// VIP (a sync group of two could elect two nodes, one per family).
		if got := strings.Count(conf, "vrrp_instance "); got != 1 || !strings.Contains(conf, "vrrp_instance "+inst+" {") {
			t.Errorf("%s: %d instances, want one named %s", name, got, inst)
		}
		if strings.Contains(conf, "vrrp_sync_group") {
			t.Errorf("%s: a sync group", name)
		}
		if got := strings.Count(conf, "state BACKUP"); got != 1 {
			t.Errorf("%s: %d BACKUP states, want 1", name, got)
		}
		if got, want := strings.Count(conf, "nopreempt"), 1; c.Preempt && got != 0 || !c.Preempt && got != want {
			t.Errorf("%s: %d nopreempt lines (preempt %v)", name, got, c.Preempt)
		}
		prio := "priority 100\n"
		if len(c.PreferredNodes) > 0 {
			prio = "priority @PRIORITY@\n"
		}
		if got := strings.Count(conf, prio); got != 1 {
			t.Errorf("%s: %d %q lines, want 1", name, got, prio)
		}
		if _, ok := files[keepalived.PrioritiesFile]; ok != (len(c.PreferredNodes) > 0) {
			t.Errorf("%s: priorities file present %v with preferred nodes %v", name, ok, c.PreferredNodes)
		}
		if got := strings.Contains(conf, "preempt_delay"); got != (c.PreemptDelaySeconds > 0) {
			t.Errorf("%s: preempt_delay rendered %v for %d s", name, got, c.PreemptDelaySeconds)
		}
		if got := strings.Count(conf, "    notify "); got != 1 {
			t.Errorf("%s: %d notify lines, want 1", name, got)
		}
		// IPv4 adverts whenever there is an IPv4 VIP; IPv6 VIPs then are
		// excluded from adverts but held all the same.
		var has4, has6 bool
		for _, a := range c.Addresses {
			has4 = has4 || !strings.Contains(a, ":")
			has6 = has6 || strings.Contains(a, ":")
		}
		if got := strings.Contains(conf, "virtual_ipaddress_excluded {"); got != (has4 && has6) {
			t.Errorf("%s: excluded addresses %v for %v", name, got, c.Addresses)
		}
		if c.Unicast && has4 && strings.Contains(conf, "@UNICAST_IPV6@") {
			t.Errorf("%s: IPv6 unicast peers in an IPv4 instance", name)
		}
		refresh := strings.Contains(conf, "vrrp_garp_master_refresh ")
		if refresh != (c.GARPRefreshSeconds > 0) {
			t.Errorf("%s: garp refresh rendered %v for %d s", name, refresh, c.GARPRefreshSeconds)
		}
		if strings.Contains(conf, "@UNICAST_IPV") != c.Unicast {
			t.Errorf("%s: unicast markers present %v, unicast %v", name, !c.Unicast, c.Unicast)
		}
		if strings.Contains(conf, "auth_pass @VRRP_PASSWORD@") != c.Auth {
			t.Errorf("%s: auth rendered wrongly", name)
		}
		if strings.Contains(conf, "@INTERFACE@") != (c.Interface == "") {
			t.Errorf("%s: interface marker wrong", name)
		}
	}
}

func TestVersion(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*keepalived.Config)
		want  int
		advrt string
	}{
		{"default interval is sub-second", func(*keepalived.Config) {}, 3, "advert_int 0.5\n"},
		{"whole seconds, IPv4", func(c *keepalived.Config) { c.AdvertIntervalMilliseconds = 1000 }, 2, "advert_int 1\n"},
		{"3 s, IPv4", func(c *keepalived.Config) { c.AdvertIntervalMilliseconds = 3000 }, 2, "advert_int 3\n"},
		{"1.5 s", func(c *keepalived.Config) { c.AdvertIntervalMilliseconds = 1500 }, 3, "advert_int 1.5\n"},
		{"10 ms", func(c *keepalived.Config) { c.AdvertIntervalMilliseconds = 10 }, 3, "advert_int 0.01\n"},
		{"IPv6 needs v3 at whole seconds", func(c *keepalived.Config) {
			c.AdvertIntervalMilliseconds = 1000
			c.Addresses = []string{"fd00::15/64"}
			c.Peers = []string{"fd00::1"}
		}, 3, "advert_int 1\n"},
		{"dual-stack: one version for both", func(c *keepalived.Config) {
			c.AdvertIntervalMilliseconds = 1000
			c.Addresses = []string{"10.0.0.15/24", "fd00::15/64"}
			c.Peers = []string{"10.0.0.1", "fd00::1"}
		}, 3, "advert_int 1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := base()
			tc.edit(&c)
			if got := keepalived.Version(c); got != tc.want {
				t.Fatalf("Version %d, want %d", got, tc.want)
			}
			files, err := keepalived.Files(c)
			if err != nil {
				t.Fatal(err)
			}
			conf := files[keepalived.TemplateFile]
			if got := strings.Count(conf, "version "+string(rune('0'+tc.want))+"\n"); got != 1 {
				t.Errorf("%d lines of version %d, want 1:\n%s", got, tc.want, conf)
			}
			if !strings.Contains(conf, tc.advrt) {
				t.Errorf("no %q in\n%s", tc.advrt, conf)
			}
		})
	}
}

func TestInstanceName(t *testing.T) {
	for _, tc := range []struct {
		instance  string
		addresses []string
		want      string
	}{
		{"portico_ns_gw", []string{"10.0.0.1/24"}, "portico_ns_gw"},
		{"portico_my-ns_my.gw", []string{"10.0.0.1/24"}, "portico_my_ns_my_gw"},
		{"portico_a_very_long_namespace_name_and_gateway", []string{"fd00::1/64"}, "portico_a_very_long_namespace_"},
		{"portico_ns_gw", []string{"10.0.0.1/24", "fd00::1/64"}, "portico_ns_gw"},
	} {
		c := base()
		c.Instance, c.Addresses = tc.instance, tc.addresses
		if got := keepalived.InstanceName(c); got != tc.want {
			t.Errorf("%q %v: got %q, want %q", tc.instance, tc.addresses, got, tc.want)
		}
	}
}

func TestValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*keepalived.Config)
		want string
	}{
		{"no instance", func(c *keepalived.Config) { c.Instance = "" }, "instance: must not be empty"},
		{"router id 0", func(c *keepalived.Config) { c.RouterID = 0 }, "routerID: 0 is outside 1-255"},
		{"router id 256", func(c *keepalived.Config) { c.RouterID = 256 }, "routerID: 256 is outside 1-255"},
		{"no addresses", func(c *keepalived.Config) { c.Addresses = nil }, "addresses: at least one VIP"},
		{"bare address", func(c *keepalived.Config) { c.Addresses = []string{"192.168.10.15"} }, `addresses: "192.168.10.15" is not a CIDR`},
		{"duplicate VIP", func(c *keepalived.Config) { c.Addresses = []string{"10.0.0.1/24", "10.0.0.1/32"} }, "listed twice"},
		{"loopback VIP", func(c *keepalived.Config) { c.Addresses = []string{"127.0.0.2/8"} }, "not a usable unicast VIP"},
		{"link-local VIP", func(c *keepalived.Config) { c.Addresses = []string{"fe80::1/64"} }, "not a usable unicast VIP"},
		{"mapped VIP", func(c *keepalived.Config) { c.Addresses = []string{"::ffff:10.0.0.1/120"} }, "IPv4-mapped"},
		{"bad interface", func(c *keepalived.Config) { c.Interface = "eth0; rm -rf /" }, "interface:"},
		{"loopback interface", func(c *keepalived.Config) { c.Interface = "lo" }, "interface:"},
		{"bad peer", func(c *keepalived.Config) { c.Peers = []string{"node-1"} }, `peers: "node-1" is not an IP address`},
		{"duplicate peer", func(c *keepalived.Config) { c.Peers = []string{"10.0.0.1", "10.0.0.1"} }, "listed twice"},
		{"peer is VIP", func(c *keepalived.Config) { c.Peers = []string{"192.168.10.15"} }, "also a VIP"},
		{"unicast v6 without v6 peers", func(c *keepalived.Config) { c.Addresses = []string{"fd00::15/64"} }, "unicast IPv6 VIPs need the IPv6 node addresses"},
		{"unicast v4 with only IPv6 peers", func(c *keepalived.Config) { c.Peers = []string{"fd00::11", "fd00::12"} }, "unicast IPv4 VIPs need the IPv4 node addresses"},
		{"negative advert", func(c *keepalived.Config) { c.AdvertIntervalMilliseconds = -1 }, "negative"},
		{"advert not centiseconds", func(c *keepalived.Config) { c.AdvertIntervalMilliseconds = 1005 }, "not a multiple of 10"},
		{"advert too long", func(c *keepalived.Config) { c.AdvertIntervalMilliseconds = 41000 }, "above 40950"},
		{"negative garp", func(c *keepalived.Config) { c.GARPRefreshSeconds = -5 }, "garpRefreshSeconds"},
		{"no healthz", func(c *keepalived.Config) { c.HealthzURL = "" }, "healthzURL: must not be empty"},
		{"healthz not http", func(c *keepalived.Config) { c.HealthzURL = "tcp://127.0.0.1:10254" }, "not an http(s) URL"},
		{"healthz with quote", func(c *keepalived.Config) { c.HealthzURL = "http://127.0.0.1/'$(reboot)'" }, "cannot carry safely"},
		{"bad lease", func(c *keepalived.Config) { c.LeaseName = "Bad_Name" }, "leaseName:"},
		{"auth with a sub-second interval", func(c *keepalived.Config) { c.Auth, c.AdvertIntervalMilliseconds = true, 500 }, "auth needs VRRPv2, but this VIP needs VRRPv3 (advert interval 500 ms is not whole seconds)"},
		{"preempt without preferred nodes", func(c *keepalived.Config) { c.Preempt = true }, "preempt: needs preferredNodes"},
		{"delay without preempt", func(c *keepalived.Config) {
			c.PreferredNodes, c.PreemptDelaySeconds = []string{"node-1"}, 5
		}, "preemptDelaySeconds: needs preempt"},
		{"delay too long", func(c *keepalived.Config) {
			c.PreferredNodes, c.Preempt, c.PreemptDelaySeconds = []string{"node-1"}, true, 1001
		}, "preemptDelaySeconds: 1001 is outside 0-1000"},
		{"node twice", func(c *keepalived.Config) { c.PreferredNodes = []string{"node-1", "node-1"} }, `preferredNodes: "node-1" is listed twice`},
		{"node name with shell", func(c *keepalived.Config) { c.PreferredNodes = []string{"n1 $(reboot)"} }, `preferredNodes: "n1 $(reboot)"`},
		{"too many nodes", func(c *keepalived.Config) {
			c.PreferredNodes = []string{"a", "b", "c", "d", "e", "f", "g", "h", "i"}
		}, "preferredNodes: 9 nodes, at most 8"},
		{"auth with IPv6", func(c *keepalived.Config) {
			c.Auth, c.AdvertIntervalMilliseconds = true, 1000
			c.Addresses, c.Peers = []string{"fd00::15/64"}, []string{"fd00::1"}
		}, "auth needs VRRPv2, but this VIP needs VRRPv3 (IPv6 VIP fd00::15/64)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := base()
			tc.edit(&c)
			_, err := keepalived.Files(c)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
	// IPv6 VIPs ride along in the IPv4 instance, whose unicast adverts
	// need IPv4 node addresses only.
	dual := base()
	dual.Addresses = []string{"192.168.10.15/24", "fd00:10::15/64"}
	if _, err := keepalived.Files(dual); err != nil {
		t.Errorf("dual-stack with IPv4 peers only: %v", err)
	}
	// Every problem is reported at once.
	_, err := keepalived.Files(keepalived.Config{})
	for _, want := range []string{"instance:", "routerID:", "addresses:", "healthzURL:"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("empty config: error %v lacks %q", err, want)
		}
	}
}

// TestPriorities pins the ranking: distinct, descending, all above the
// nodes not listed, and the file entrypoint.sh reads.
func TestPriorities(t *testing.T) {
	c := base()
	c.PreferredNodes = []string{"node-3", "node-1"}
	if a, b, other := keepalived.Priority(c, "node-3"), keepalived.Priority(c, "node-1"), keepalived.Priority(c, "node-2"); !(a > b && b > other) {
		t.Fatalf("priorities node-3 %d, node-1 %d, node-2 %d: want strictly descending", a, b, other)
	}
	files, err := keepalived.Files(c)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := files[keepalived.PrioritiesFile], "node-3 120\nnode-1 110\n* 100\n"; got != want {
		t.Errorf("priorities file %q, want %q", got, want)
	}
	if keepalived.Priority(base(), "node-1") != 100 {
		t.Error("unranked nodes must keep priority 100")
	}
}

// TestAuthDefaultsToVRRPv2: authSecretRef alone must work, so the
// default interval with Auth is whole seconds.
func TestAuthDefaultsToVRRPv2(t *testing.T) {
	c := base()
	c.Auth = true
	files, err := keepalived.Files(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"advert_int 1\n", "version 2\n", "auth_type PASS"} {
		if !strings.Contains(files[keepalived.TemplateFile], want) {
			t.Errorf("template lacks %q", want)
		}
	}
}
