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

package v1alpha1

// Condition types of an IngressGateway. Every condition carries the
// generation it was computed for in observedGeneration.
const (
	// ConditionReady is True when every child is applied and the workload
	// has fully rolled out the current pod template on at least one pod.
	// False says why not; `kubectl wait --for=condition=Ready` waits for it.
	ConditionReady = "Ready"

	// ConditionProgressing is True while the operator is applying changes
	// or the workload is rolling out, and False once the rollout is complete.
	ConditionProgressing = "Progressing"

	// ConditionDegraded is True when something needs the user's attention:
	// a child could not be applied, a name is taken by an object Portico
	// does not own, or no node matches the DaemonSet. False otherwise.
	ConditionDegraded = "Degraded"

	// ConditionWebhookReady is True when the data-plane admission webhook
	// is registered with a caBundle that trusts its serving certificate and
	// at least one controller pod serves it. Absent when the webhook is
	// disabled.
	ConditionWebhookReady = "WebhookReady"

	// ConditionDefaultCertificateReady is True when the Secret in
	// spec.defaultCertificate.secretRef holds a usable certificate (reason
	// Valid, or ExpiringSoon when fewer than 30 days are left). False
	// reasons: NotFound, WrongType, Malformed, KeyMismatch, NotYetValid,
	// Expired; the controller then serves its self-signed fake
	// certificate. Absent without a default certificate.
	ConditionDefaultCertificateReady = "DefaultCertificateReady"

	// ConditionVIPReady is True when the floating addresses are configured
	// and, once the fleet has ready pods, a node holds them. Absent without
	// spec.vip.
	ConditionVIPReady = "VIPReady"
	// ConditionBackendsResolved is True when the Service and port of every
	// tcp/udp entry exist. It does not affect Ready.
	ConditionBackendsResolved = "BackendsResolved"
	// ConditionAdmissionPolicyInstalled is True when the API server enforces
	// the gateway-class ValidatingAdmissionPolicy (config/policy): the
	// class holds even while the operator is down.
	ConditionAdmissionPolicyInstalled = "AdmissionPolicyInstalled"
	// ConditionDataPlaneSupported says whether the data plane still gets
	// security fixes upstream. It does not affect Ready.
	ConditionDataPlaneSupported = "DataPlaneSupported"
)

// Condition reasons. They are UpperCamel and stable: scripts may match them.
const (
	// ReasonAvailable (Ready=True): all pods run the current template.
	ReasonAvailable = "Available"
	// ReasonRollingOut (Ready=False, Progressing=True): pods are being
	// created or replaced.
	ReasonRollingOut = "RollingOut"
	// ReasonWorkloadPending (Ready=False, Progressing=True): the workload
	// controller has not observed the current workload spec yet.
	ReasonWorkloadPending = "WorkloadPending"
	// ReasonSwitchingWorkload (Progressing=True): the workload kind changed
	// and the old workload is being removed first.
	ReasonSwitchingWorkload = "SwitchingWorkload"
	// ReasonRolloutComplete (Progressing=False): nothing left to do.
	ReasonRolloutComplete = "RolloutComplete"
	// ReasonNoReplicas (Ready=False): the Deployment is scaled to zero.
	ReasonNoReplicas = "NoReplicas"
	// ReasonNoMatchingNodes (Ready=False, Degraded=True): the DaemonSet
	// matches no node; check workload.nodeSelector and tolerations.
	ReasonNoMatchingNodes = "NoMatchingNodes"
	// ReasonHostPortConflict (Degraded=True): controller pods cannot be
	// scheduled because something else on their nodes binds the fleet's
	// host ports; the message names the nodes and ports.
	ReasonHostPortConflict = "HostPortConflict"
	// ReasonBackendsResolved (BackendsResolved=True).
	ReasonBackendsResolved = "Resolved"
	// ReasonBackendNotFound (BackendsResolved=False): a backend Service or
	// its port does not exist; the message names each entry.
	ReasonBackendNotFound = "BackendNotFound"
	// ReasonBackendsUnknown (BackendsResolved=Unknown): the Services could
	// not be read.
	ReasonBackendsUnknown = "Unknown"
	// ReasonApplyFailed (Degraded=True): the API server refused a child,
	// or failed to apply or delete one; retried with backoff.
	ReasonApplyFailed = "ApplyFailed"
	// ReasonReconcileFailed (Degraded=True): a phase other than applying
	// or pruning failed (reading the class or an input, issuing the
	// webhook certificates, listing the fleet's pods); the message names
	// the phase. Retried with backoff.
	ReasonReconcileFailed = "ReconcileFailed"
	// ReasonNotObserved (Unknown): the input of the condition was not
	// observed because the reconcile stopped at an earlier phase.
	ReasonNotObserved = "NotObserved"
	// ReasonNameConflict (Degraded=True): an object Portico did not create
	// already has a child's name. Portico never takes it over.
	ReasonNameConflict = "NameConflict"
	// ReasonDriftReverted is the reason of the event (not a condition)
	// recorded when the operator reverts a change someone made to a child;
	// it names the child, the field groups and the edited resourceVersion.
	ReasonDriftReverted = "DriftReverted"
	// ReasonDefaultBackendMissing (Degraded=True): spec.defaultBackend names
	// a Service that does not exist; ingress-nginx would exit at start, so
	// the workload is left as it is until the Service appears.
	ReasonDefaultBackendMissing = "DefaultBackendMissing"
	// ReasonInvalidSpec (Degraded=True): the spec passed the schema but
	// cannot be rendered (e.g. no image and no operator default).
	ReasonInvalidSpec = "InvalidSpec"
	// ReasonDefaultCertificateNotReady (Ready=False, Degraded=True): the
	// default certificate is missing or unusable; DefaultCertificateReady
	// has the specific reason.
	ReasonDefaultCertificateNotReady = "DefaultCertificateNotReady"
	// ReasonWebhookServing (WebhookReady=True).
	ReasonWebhookServing = "WebhookServing"
	// ReasonWebhookPending (WebhookReady=False): registered, but no
	// controller pod is available to serve it yet.
	ReasonWebhookPending = "WebhookPending"
	// ReasonWebhookNoEndpoints (WebhookReady=False): pods run, but the
	// webhook Service has no ready endpoint for the API server to call.
	ReasonWebhookNoEndpoints = "WebhookNoEndpoints"
	// ReasonCertificateError (WebhookReady=False): the webhook's
	// certificates could not be issued.
	ReasonCertificateError = "CertificateError"
	// ReasonVIPHeld (VIPReady=True): a node holds the addresses.
	ReasonVIPHeld = "Held"
	// ReasonVIPNoReadyPods (VIPReady=False): no controller pod is ready, so
	// no node may hold the addresses.
	ReasonVIPNoReadyPods = "NoReadyPods"
	// ReasonVIPNoHolder (VIPReady=False): pods are ready but no node
	// reports holding the addresses.
	ReasonVIPNoHolder = "NoHolder"
	// ReasonRouterIDExhausted (VIPReady=False, Degraded=True): every VRRP
	// router ID is taken by other gateways.
	ReasonRouterIDExhausted = "RouterIDExhausted"
	// ReasonClassNotFound (Ready=False, Degraded=True): the gateway names
	// no existing IngressGatewayClass, or names none and no class (or more
	// than one) is the default. Nothing is applied.
	ReasonClassNotFound = "ClassNotFound"
	// ReasonClassForbids (Ready=False, Degraded=True): the gateway uses
	// something its IngressGatewayClass does not allow (the class changed,
	// or admission was bypassed). No new rollout happens; the running fleet
	// is left as it is.
	ReasonClassForbids = "ClassForbids"
	// ReasonPolicyInstalled (AdmissionPolicyInstalled=True).
	ReasonPolicyInstalled = "Installed"
	// ReasonPolicyMissing (AdmissionPolicyInstalled=False): the policy or
	// its binding is missing; only the operator's webhook and reconciler
	// enforce the class.
	ReasonPolicyMissing = "PolicyMissing"
	// ReasonUpstreamRetired (DataPlaneSupported=False): the driver's
	// project is retired (ingress-nginx, March 2026).
	ReasonUpstreamRetired = "UpstreamRetired"
	// ReasonUpstreamMaintained (DataPlaneSupported=True).
	ReasonUpstreamMaintained = "UpstreamMaintained"
	// ReasonEntryPointsChanged (Progressing=True): the traefik driver's
	// tcp/udp ports changed; Traefik's entry points are static, so the
	// pods are replaced (ingress-nginx reloads them without a restart).
	ReasonEntryPointsChanged = "EntryPointsChanged"
	// ReasonAsExpected (Degraded=False).
	ReasonAsExpected = "AsExpected"
)
