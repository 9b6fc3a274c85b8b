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

// Package keepalived renders the files of the ConfigMap that drives the
// keepalived sidecar of a gateway with a VIP. It is pure: the node-specific
// parts (interface, own address, unicast peers, password) are left as
// @MARKERS@ in keepalived.conf.tmpl and filled in on the node by
// entrypoint.sh, so one ConfigMap serves the whole fleet and peer changes
// reach keepalived as a reload instead of a pod restart.
//
// The sidecar contract (what the pod must provide):
//   - command: /bin/sh <dir>/entrypoint.sh, with the ConfigMap mounted as a
//     directory (not subPath, or updates never arrive); the kubelet updates
//     it within a minute or two and entrypoint.sh polls every 2 s;
//   - an image with keepalived, /bin/sh, ip (iproute2) and curl;
//   - env NODE_IP (status.hostIP), NODE_NAME (spec.nodeName), POD_NAMESPACE,
//     and VRRP_PASSWORD when Auth is set; RUN_DIR (default
//     /tmp/portico-keepalived) must be writable, e.g. an emptyDir;
//   - hostNetwork and capabilities NET_ADMIN, NET_RAW and SETGID (keepalived
//     2.2.7 calls setgroups before running every script, even as root;
//     without it no health check or notification ever runs);
//   - a ServiceAccount token allowed to get and patch the Lease (and create
//     it, unless the operator creates it first, which resourceNames-scoped
//     RBAC needs).
//
// Changes to the template and peers are reloaded with SIGHUP; a changed
// entrypoint.sh takes effect when the container restarts; check.sh and
// notify.sh are read on every run.
package keepalived

import (
	_ "embed"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// File names (ConfigMap keys).
const (
	TemplateFile   = "keepalived.conf.tmpl"
	EntrypointFile = "entrypoint.sh"
	CheckFile      = "check.sh"
	NotifyFile     = "notify.sh"
	PeersFile      = "peers"
	// PrioritiesFile maps node names to VRRP priorities ("node priority"
	// lines) when nodes are ranked; entrypoint.sh looks up NODE_NAME.
	PrioritiesFile = "priorities"
)

// Defaults the caller may use; Files applies DefaultAdvertIntervalMilliseconds
// when AdvertIntervalMilliseconds is 0.
const (
	// DefaultAdvertIntervalMilliseconds keeps the master-down interval
	// (3 adverts + skew = 1.8 s at priority 100) under the 3 s failover target
	// for a crashed holder; 1 s adverts give 3.6 s. It implies VRRPv3.
	DefaultAdvertIntervalMilliseconds = 500
	// DefaultAuthAdvertIntervalMilliseconds applies with Auth: PASS
	// authentication needs VRRPv2, which counts whole seconds.
	DefaultAuthAdvertIntervalMilliseconds = 1000
	// MaxPreferredNodes bounds the ranking; each rank is priorityStep
	// above the next.
	MaxPreferredNodes = 8
	// MaxPreemptDelaySeconds is keepalived's limit for preempt_delay.
	MaxPreemptDelaySeconds = 1000
	// DefaultGARPRefreshSeconds re-announces the VIP well inside the common
	// 300 s switch FDB / ARP ageing, so an idle VIP is never black-holed.
	DefaultGARPRefreshSeconds = 60
)

// Fixed keepalived settings.
const (
	// basePriority is every node's priority when nodes are not ranked, and
	// the priority of nodes not in PreferredNodes.
	basePriority = 100
	priorityStep = 10
	// The health script runs every second; keepalived 2.2.7 takes whole
	// seconds only. Two failures (not one) so a single slow /healthz during
	// an nginx reload does not move the VIP.
	checkInterval = 1
	checkTimeout  = 2
	checkFall     = 2
	checkRise     = 2
	garpRepeat    = 5
	garpDelay     = 5
	scriptName    = "portico_healthz"
	maxNameLength = 30
	maxAdvertMS   = 40950 // VRRPv3 carries the interval in 12 bits of centiseconds
	maxGARPSecs   = 86400
)

// Markers entrypoint.sh replaces on the node.
const (
	markerInterface = "@INTERFACE@"
	markerConfigDir = "@CONFIG_DIR@"
	markerPassword  = "@VRRP_PASSWORD@"
	markerUnicast4  = "@UNICAST_IPV4@"
	markerUnicast6  = "@UNICAST_IPV6@"
	markerPriority  = "@PRIORITY@"
	markerSettings  = "# @SETTINGS@\n"
)

// Config describes the VIP of one gateway.
type Config struct {
	// Instance names the VRRP instance; it is reduced to [A-Za-z0-9_] and
	// 30 characters.
	Instance string
	// RouterID is the VRRP virtual router id, 1-255; it must be unique per
	// L2 segment among all VRRP users.
	RouterID int
	// Addresses are the VIPs as CIDRs, IPv4 and/or IPv6.
	Addresses []string
	// Interface carries the VIP; "" means the interface holding NODE_IP.
	Interface string
	// Unicast sends adverts to Peers instead of the VRRP multicast group.
	Unicast bool
	// Peers are the node addresses of the fleet, the node itself included.
	Peers []string
	// AdvertIntervalMilliseconds is the VRRP advert interval; 0 means
	// DefaultAdvertIntervalMilliseconds (DefaultAuthAdvertIntervalMilliseconds
	// with Auth). Values that are not whole seconds need VRRPv3.
	AdvertIntervalMilliseconds int
	// GARPRefreshSeconds repeats gratuitous ARP / unsolicited NA while
	// MASTER; 0 turns the refresh off (the burst at takeover stays).
	GARPRefreshSeconds int
	// PreferredNodes ranks node names as holders, most preferred first:
	// each gets a distinct priority above the nodes not listed.
	PreferredNodes []string
	// Preempt omits nopreempt, so a preferred node that becomes eligible
	// takes the VIP from a less preferred holder. It needs PreferredNodes:
	// with equal priorities keepalived never pre-empts.
	Preempt bool
	// PreemptDelaySeconds delays that take-over (keepalived preempt_delay).
	PreemptDelaySeconds int
	// Auth enables VRRPv2 PASS authentication with $VRRP_PASSWORD.
	Auth bool
	// HealthzURL is the local controller health endpoint the VIP follows.
	HealthzURL string
	// LeaseName is the Lease in POD_NAMESPACE whose holderIdentity names
	// the node holding the VIP; "" disables the Lease.
	LeaseName string
}

// instance is the gateway's one VRRP instance. With both families its
// adverts are IPv4 and the IPv6 VIPs ride along as excluded addresses
// (keepalived's way to mix families): one election moves every VIP. Two
// instances in a sync group could each elect a different node when
// priorities tie (the tie-break compares addresses per family), and the
// group then made both nodes yield, leaving no holder until the next
// election.
type instance struct {
	name     string
	marker   string
	vips     []netip.Prefix
	excluded []netip.Prefix
	version  int
}

var (
	//go:embed scripts/entrypoint.sh
	entrypointBody string
	//go:embed scripts/check.sh
	checkBody string
	//go:embed scripts/notify.sh
	notifyBody string

	ifaceRE     = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,15}$`)
	nameCleanRE = regexp.MustCompile(`[^A-Za-z0-9_]`)
	// Characters that survive single-quoted shell, keepalived's parser and
	// curl's URL globbing unchanged.
	urlSafeRE = regexp.MustCompile(`^[A-Za-z0-9._~:/?#@!$&()*+,;=%\[\]-]+$`)
)

// Files renders the ConfigMap data for c. Equal configs give identical maps.
func Files(c Config) (map[string]string, error) {
	if err := validate(&c); err != nil {
		return nil, err
	}
	inst := newInstance(c)
	if c.Auth && inst.version == 3 {
		return nil, fmt.Errorf("auth needs VRRPv2, but this VIP needs VRRPv3 (%s); keepalived ignores PASS authentication with VRRPv3", v3Reason(c))
	}
	peers := normalizedPeers(c.Peers)
	var vips []string
	for _, p := range slices.Concat(inst.vips, inst.excluded) {
		vips = append(vips, p.String())
	}
	lines := make([]string, 0, len(peers))
	for _, p := range peers {
		lines = append(lines, p.String())
	}
	peersData := ""
	if len(lines) > 0 {
		peersData = strings.Join(lines, "\n") + "\n"
	}
	files := map[string]string{
		TemplateFile:   conf(c, inst),
		EntrypointFile: withSettings(entrypointBody, nil),
		CheckFile:      withSettings(checkBody, [][2]string{{"HEALTHZ_URL", c.HealthzURL}}),
		NotifyFile: withSettings(notifyBody, [][2]string{
			{"LEASE_NAME", c.LeaseName},
			{"VIPS", strings.Join(vips, " ")},
		}),
		PeersFile: peersData,
	}
	if len(c.PreferredNodes) > 0 {
		files[PrioritiesFile] = priorities(c)
	}
	return files, nil
}

// Priority is the VRRP priority of node under c: distinct and descending
// for the preferred nodes, basePriority for every other node.
func Priority(c Config, node string) int {
	for i, n := range c.PreferredNodes {
		if n == node {
			return basePriority + priorityStep*(len(c.PreferredNodes)-i)
		}
	}
	return basePriority
}

// priorities is the PrioritiesFile: one "node priority" line per preferred
// node, then "* basePriority" for the rest.
func priorities(c Config) string {
	var b strings.Builder
	for _, n := range c.PreferredNodes {
		fmt.Fprintf(&b, "%s %d\n", n, Priority(c, n))
	}
	fmt.Fprintf(&b, "* %d\n", basePriority)
	return b.String()
}

// Version is the VRRP version Files renders for c: 3 with any IPv6 VIP or
// an advert interval that is not whole seconds, else 2, which is the only
// version keepalived authenticates. A dual-stack VIP's adverts are IPv4
// and could be VRRPv2, but fleets running the two-instance configuration
// are on 3, and nodes on 2 and 3 do not hear each other while a new
// configuration reaches them one by one; the API refuses authentication
// with IPv6 VIPs, so 3 costs nothing.
func Version(c Config) int {
	if v3Reason(c) != "" {
		return 3
	}
	return 2
}

func v3Reason(c Config) string {
	ms := advertMS(c)
	for _, a := range c.Addresses {
		if p, err := netip.ParsePrefix(a); err == nil && p.Addr().Is6() {
			return "IPv6 VIP " + a
		}
	}
	if ms%1000 != 0 {
		return fmt.Sprintf("advert interval %d ms is not whole seconds", ms)
	}
	return ""
}

func advertMS(c Config) int {
	if c.AdvertIntervalMilliseconds == 0 && c.Auth {
		return DefaultAuthAdvertIntervalMilliseconds
	}
	if c.AdvertIntervalMilliseconds == 0 {
		return DefaultAdvertIntervalMilliseconds
	}
	return c.AdvertIntervalMilliseconds
}

// InstanceName is the name of the VRRP instance Files renders for c.
func InstanceName(c Config) string {
	return truncate(nameCleanRE.ReplaceAllString(c.Instance, "_"), maxNameLength)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func validate(c *Config) error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if c.Instance == "" {
		add("instance: must not be empty")
	}
	if c.RouterID < 1 || c.RouterID > 255 {
		add("routerID: %d is outside 1-255", c.RouterID)
	}
	if len(c.Addresses) == 0 {
		add("addresses: at least one VIP is required")
	}
	vips := map[netip.Addr]bool{}
	var has4, has6 bool
	for _, a := range c.Addresses {
		p, err := netip.ParsePrefix(a)
		if err != nil {
			add("addresses: %q is not a CIDR like 192.168.10.15/24: %v", a, err)
			continue
		}
		ip := p.Addr()
		switch {
		case ip.Is4In6():
			add("addresses: %q is an IPv4-mapped IPv6 address; write it as IPv4", a)
		case ip.Zone() != "":
			add("addresses: %q must not have a zone", a)
		case ip.IsUnspecified() || ip.IsLoopback() || ip.IsMulticast() || ip.IsLinkLocalUnicast():
			add("addresses: %q is not a usable unicast VIP", a)
		case p.Bits() == 0:
			add("addresses: %q has a /0 prefix", a)
		case vips[ip]:
			add("addresses: %q is listed twice", a)
		}
		vips[ip] = true
		has4 = has4 || ip.Is4()
		has6 = has6 || ip.Is6()
	}
	if c.Interface != "" && (!ifaceRE.MatchString(c.Interface) || c.Interface == "lo") {
		add("interface: %q is not a usable interface name", c.Interface)
	}
	seen := map[netip.Addr]bool{}
	var peers4, peers6 int
	for _, s := range c.Peers {
		ip, err := netip.ParseAddr(s)
		if err != nil {
			add("peers: %q is not an IP address: %v", s, err)
			continue
		}
		ip = ip.Unmap()
		switch {
		case ip.Zone() != "":
			add("peers: %q must not have a zone", s)
		case seen[ip]:
			add("peers: %q is listed twice", s)
		case vips[ip]:
			add("peers: %q is also a VIP", s)
		}
		seen[ip] = true
		if ip.Is4() {
			peers4++
		} else {
			peers6++
		}
	}
	// No peers yet is normal: no pod has a node address before the first
	// one starts, and entrypoint.sh then runs the lone node on multicast
	// until the peer list arrives.
	if c.Unicast && len(c.Peers) > 0 {
		// keepalived needs this node's own address of the instance's family
		// (IPv4 whenever there are IPv4 VIPs: IPv6 ones then ride along) as
		// unicast_src_ip; entrypoint.sh finds it in the peers.
		if has4 && peers4 == 0 {
			add("peers: unicast IPv4 VIPs need the IPv4 node addresses")
		}
		if !has4 && has6 && peers6 == 0 {
			add("peers: unicast IPv6 VIPs need the IPv6 node addresses")
		}
	}
	ms := c.AdvertIntervalMilliseconds
	switch {
	case ms < 0:
		add("advertIntervalMilliseconds: %d is negative", ms)
	case ms != 0 && ms%10 != 0:
		add("advertIntervalMilliseconds: %d is not a multiple of 10 (VRRPv3 counts centiseconds)", ms)
	case ms > maxAdvertMS:
		add("advertIntervalMilliseconds: %d is above %d", ms, maxAdvertMS)
	}
	if len(c.PreferredNodes) > MaxPreferredNodes {
		add("preferredNodes: %d nodes, at most %d", len(c.PreferredNodes), MaxPreferredNodes)
	}
	ranked := map[string]bool{}
	for _, n := range c.PreferredNodes {
		// Node names reach the sidecar's shell: DNS-1123 subdomains only.
		for _, msg := range validation.IsDNS1123Subdomain(n) {
			add("preferredNodes: %q: %s", n, msg)
		}
		if ranked[n] {
			add("preferredNodes: %q is listed twice", n)
		}
		ranked[n] = true
	}
	if c.Preempt && len(c.PreferredNodes) == 0 {
		add("preempt: needs preferredNodes; with equal priorities no node ever pre-empts")
	}
	if c.PreemptDelaySeconds < 0 || c.PreemptDelaySeconds > MaxPreemptDelaySeconds {
		add("preemptDelaySeconds: %d is outside 0-%d", c.PreemptDelaySeconds, MaxPreemptDelaySeconds)
	} else if c.PreemptDelaySeconds > 0 && !c.Preempt {
		add("preemptDelaySeconds: needs preempt")
	}
	if c.GARPRefreshSeconds < 0 || c.GARPRefreshSeconds > maxGARPSecs {
		add("garpRefreshSeconds: %d is outside 0-%d", c.GARPRefreshSeconds, maxGARPSecs)
	}
	if c.HealthzURL == "" {
		add("healthzURL: must not be empty")
	} else if u, err := url.Parse(c.HealthzURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		add("healthzURL: %q is not an http(s) URL", c.HealthzURL)
	} else if !urlSafeRE.MatchString(c.HealthzURL) {
		add("healthzURL: %q has characters a shell script cannot carry safely", c.HealthzURL)
	}
	if c.LeaseName != "" {
		for _, msg := range validation.IsDNS1123Subdomain(c.LeaseName) {
			add("leaseName: %q: %s", c.LeaseName, msg)
		}
	}
	return errors.Join(errs...)
}

func newInstance(c Config) instance {
	var v4, v6 []netip.Prefix
	for _, a := range c.Addresses {
		p := netip.MustParsePrefix(a)
		if p.Addr().Is4() {
			v4 = append(v4, p)
		} else {
			v6 = append(v6, p)
		}
	}
	inst := instance{name: InstanceName(c), version: Version(c)}
	if len(v4) > 0 {
		inst.marker, inst.vips, inst.excluded = markerUnicast4, v4, v6
	} else {
		inst.marker, inst.vips = markerUnicast6, v6
	}
	return inst
}

func normalizedPeers(in []string) []netip.Addr {
	out := make([]netip.Addr, 0, len(in))
	for _, s := range in {
		out = append(out, netip.MustParseAddr(s).Unmap())
	}
	return out
}

// formatAdvert writes milliseconds as keepalived's seconds ("0.5", "1").
func formatAdvert(ms int) string {
	return strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)
}

func conf(c Config, f instance) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	iface := c.Interface
	if iface == "" {
		iface = markerInterface
	}

	w("# Rendered by Portico; entrypoint.sh fills in the node-specific markers.")
	w("global_defs {")
	// Scripts run as root (they need ip and the ServiceAccount token);
	// keepalived insists this is explicit.
	w("    script_user root")
	w("    enable_script_security")
	// Burst at takeover and again after the delay, so switches and hosts
	// relearn the VIP's MAC even if the first burst is lost.
	w("    vrrp_garp_master_repeat %d", garpRepeat)
	w("    vrrp_garp_master_delay %d", garpDelay)
	if c.GARPRefreshSeconds > 0 {
		// Periodic re-announcement: without it an idle VIP ages out of
		// switch FDBs and is black-holed (MetalLB #2910).
		w("    vrrp_garp_master_refresh %d", c.GARPRefreshSeconds)
		w("    vrrp_garp_master_refresh_repeat 2")
	}
	// After a partition heals the surviving master re-announces, so caches
	// that last saw the loser's GARP move back (MetalLB #584).
	w("    vrrp_garp_lower_prio_repeat %d", garpRepeat)
	w("    vrrp_higher_prio_send_advert true")
	w("}")
	w("")
	w("vrrp_script %s {", scriptName)
	w(`    script "/bin/sh %s/%s"`, markerConfigDir, CheckFile)
	w("    interval %d", checkInterval)
	w("    timeout %d", checkTimeout)
	w("    fall %d", checkFall)
	w("    rise %d", checkRise)
	// A starting node must prove its controller healthy before it may hold
	// the VIP.
	w("    init_fail")
	w("}")
	w("")
	w("vrrp_instance %s {", f.name)
	// BACKUP everywhere: the first holder is elected. Without preempt
	// whoever holds the VIP keeps it, so a recovering node never causes a
	// second move; ranked priorities then only decide elections.
	w("    state BACKUP")
	w("    interface %s", iface)
	w("    virtual_router_id %d", c.RouterID)
	if len(c.PreferredNodes) > 0 {
		w("    priority %s", markerPriority)
	} else {
		w("    priority %d", basePriority)
	}
	w("    advert_int %s", formatAdvert(advertMS(c)))
	w("    version %d", f.version)
	if !c.Preempt {
		w("    nopreempt")
	} else if c.PreemptDelaySeconds > 0 {
		w("    preempt_delay %d", c.PreemptDelaySeconds)
	}
	if c.Unicast {
		b.WriteString(f.marker + "\n")
	}
	if c.Auth {
		w("    authentication {")
		w("        auth_type PASS")
		w("        auth_pass %s", markerPassword)
		w("    }")
	}
	w("    virtual_ipaddress {")
	for _, p := range f.vips {
		w("        %s", p)
	}
	w("    }")
	if len(f.excluded) > 0 {
		// Not in adverts (they carry one family), but added, removed and
		// announced (unsolicited NA) with the others.
		w("    virtual_ipaddress_excluded {")
		for _, p := range f.excluded {
			w("        %s", p)
		}
		w("    }")
	}
	w("    track_script {")
	// weight 0: a failing check means FAULT, which releases the VIP and
	// sends a priority-0 advert so a backup takes over at once.
	w("        %s weight 0", scriptName)
	w("    }")
	w(`    notify "/bin/sh %s/%s"`, markerConfigDir, NotifyFile)
	w("}")
	return b.String()
}

// withSettings puts shell variable assignments where the script body has
// its settings marker.
func withSettings(body string, vars [][2]string) string {
	var b strings.Builder
	for _, kv := range vars {
		fmt.Fprintf(&b, "%s=%s\n", kv[0], shellQuote(kv[1]))
	}
	return strings.Replace(body, markerSettings, b.String(), 1)
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
