# Portico — an operator for ingress controller fleets.
# Every target works offline: tools are pinned Go modules, and the Kubernetes
# binaries the tests need are built from Go modules by hack/build-k8s-binaries.sh
# into a cache outside the repository.

# go1.26.8 (the machine's Go) has reachable standard-library
# vulnerabilities fixed in go1.26.9/1.26.10: every target builds with
# go1.26.10, which the go command fetches from the module proxy once.
export GOTOOLCHAIN := go1.26.10

SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec

IMG ?= ghcr.io/portico-dev/portico:v0.1.0
LOCALBIN ?= $(shell pwd)/bin
CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen
CONTROLLER_TOOLS_VERSION ?= v0.23.0
GO_TEST_FLAGS ?=
# etcd, kube-apiserver and kubectl for envtest; the rest for the simulated
# cluster (workload controllers, scheduler, kwok's fake kubelets).
K8S_COMPONENTS ?= etcd kube-apiserver kubectl kube-controller-manager kube-scheduler kwok
K8S_ASSETS = $$(hack/build-k8s-binaries.sh $(K8S_COMPONENTS) | tail -1)
GOBIN_DIR ?= $(or $(shell go env GOBIN),$(shell go env GOPATH)/bin)

.PHONY: all
all: build

##@ General

.PHONY: help
help: ## Display this help.
	@awk 'BEGIN {FS = ":.*##"; printf "\nUsage:\n  make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-22s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: controller-gen ## Generate the CRD, the operator's ClusterRole and its webhook configuration from markers.
	$(CONTROLLER_GEN) rbac:roleName=portico-manager-role crd webhook paths="./api/..." paths="./controllers/..." paths="./internal/webhook/..." paths="./internal/servingcert/..." output:crd:artifacts:config=config/crd/bases

.PHONY: generate
generate: controller-gen ## Generate DeepCopy methods.
	$(CONTROLLER_GEN) object:headerFile="hack/boilerplate.go.txt" paths="./api/..."

.PHONY: fmt
fmt: ## Run go fmt.
	go fmt ./...

.PHONY: vet
vet: ## Run go vet.
	go vet ./...

.PHONY: lint
lint: ## Run golangci-lint v2 (.golangci.yml) with kube-api-linter on the API types; hack/golangci-lint.sh builds it from Go modules into the cache (about 2 minutes once).
	GOLANGCI_LINT="$$(hack/golangci-lint.sh | tail -1)"; \
		"$$GOLANGCI_LINT" run ./... && \
		cd test/bundle && "$$GOLANGCI_LINT" run --config ../../.golangci.yml ./...

.PHONY: k8s-binaries
k8s-binaries: ## Build etcd, kube-apiserver, kubectl, kube-controller-manager, kube-scheduler and kwok from Go modules into the cache (skipped when present).
	hack/build-k8s-binaries.sh $(K8S_COMPONENTS)

.PHONY: test
test: manifests generate fmt vet k8s-binaries test-deps ## Run every test: golden renders, status, envtest and e2e suites, the Helm chart, keepalived failover.
	KUBEBUILDER_ASSETS="$(K8S_ASSETS)" PORTICO_HELM="$$(hack/helm.sh)" \
		go test $(GO_TEST_FLAGS) $$(go list ./... | grep -v /test/vip) -coverprofile cover.out
	@# The failover tests time keepalived against < 3 s goals: they run on
	@# their own, not beside the e2e suite's simulated cluster.
	go test $(GO_TEST_FLAGS) ./test/vip -count=1
	$(MAKE) test-bundle
	$(MAKE) test-alerts

.PHONY: test-unit
test-unit: ## The inner loop (under a minute, no API server): every package but the envtest suites (controller, webhook, serving certificate, trust model, property), e2e, VIP, bench and demo; -short skips the CLI's and testenv's cluster tests.
	go test -short $(GO_TEST_FLAGS) $$(go list ./... | grep -v -E '/controllers$$|/internal/webhook$$|/internal/servingcert$$|/test/|/hack/demo$$')

.PHONY: test-trust
test-trust: k8s-binaries ## Run the trust-model suite: a namespace editor's hostile cases against the webhook, the reconciler and the admission policy.
	KUBEBUILDER_ASSETS="$(K8S_ASSETS)" go test $(GO_TEST_FLAGS) ./test/trust/ -count=1 -v

.PHONY: test-bundle
test-bundle: ## Validate bundle/ with the operator-framework validators (own Go module: test/bundle).
	cd test/bundle && go vet ./... && go test $(GO_TEST_FLAGS) ./...

.PHONY: test-alerts
test-alerts: k8s-binaries ## Check and unit-test the alerts with promtool (hack/promtool.sh builds it into the cache: ~7 min once), then check that every metric the alerts and the dashboard use is exported (envtest).
	hack/promtool.sh
	KUBEBUILDER_ASSETS="$(K8S_ASSETS)" go test $(GO_TEST_FLAGS) ./test/alerts

.PHONY: test-e2e
test-e2e: k8s-binaries ## Run only the e2e suite: the operator binary on a simulated cluster (kwok nodes, real workload controllers and scheduler).
	KUBEBUILDER_ASSETS="$(K8S_ASSETS)" go test $(GO_TEST_FLAGS) ./test/e2e/ -count=1 -timeout 30m

.PHONY: test-deps
test-deps: ## Install keepalived, iproute2 and curl for the VIP tests when missing (apt-get).
	hack/install-test-deps.sh

.PHONY: bench
bench: k8s-binaries ## Print the performance figures, the floor phase included (about 27 minutes; BENCH_FLAGS=-quick for a 1-minute smoke run, -memory-limit=96Mi as under a container limit).
	KUBEBUILDER_ASSETS="$(K8S_ASSETS)" go run ./test/bench $(BENCH_FLAGS)
	KUBEBUILDER_ASSETS="$(K8S_ASSETS)" \
		go test ./test/bench -run '^$$' -bench NoopReconcile -benchtime 2000x -count 5

.PHONY: bench-vip
bench-vip: test-deps ## Print VIP failover times with real keepalived in network namespaces (root; about 2 minutes).
	PORTICO_VIP_BENCH=1 go test ./test/vip -run TestFailoverTimes -count=1 -v

.PHONY: test-update-golden
test-update-golden: ## Regenerate the golden files (renders, data-plane ClusterRoles, CLI imports and migration checks, the annotation table).
	go test ./internal/render/... ./internal/cli/... ./internal/keepalived/... ./internal/classrules/... ./internal/containment/... ./internal/migrate/... -run 'TestGolden|TestDataPlaneClusterRoles|TestImportRoundTrip|TestPolicyManifest|TestDefaultsManifest' -update

.PHONY: verify
verify: fmt manifests generate test-update-golden bundle helm-chart ## Fail if generated code, manifests, golden files, the OLM bundle or the Helm chart are stale.
	@if [ -n "$$(git status --porcelain)" ]; then \
		echo "the tree changed after regeneration; run 'make fmt manifests generate test-update-golden' and commit:"; \
		git status --porcelain; git --no-pager diff | head -100; exit 1; fi

.PHONY: vulncheck
vulncheck: ## govulncheck against a database built offline from golang.org/x/vulndb; fails on any vulnerability the code reaches. It first proves it can fail (hack/vulncheck/fixture pins a vulnerable golang.org/x/net).
	@if hack/vulncheck.sh hack/vulncheck/fixture >/dev/null 2>&1; then \
		echo "vulncheck: the vulnerable fixture passed, so the check cannot be trusted"; exit 1; fi
	@echo "vulncheck: the vulnerable fixture is caught; checking Portico"
	hack/vulncheck.sh .

##@ Packaging

.PHONY: helm-chart
helm-chart: manifests ## Regenerate the Helm chart charts/portico from config/ (internal/helmchart).
	go run ./hack/helmchart

.PHONY: helm
helm: ## Build Helm from Go modules into the cache (skipped when present); prints its path.
	@hack/helm.sh

.PHONY: bundle
bundle: manifests ## Regenerate the OLM bundle (bundle/, bundle.Dockerfile) and catalog (catalog/) from config/manifests and its release.yaml.
	go run ./hack/bundle

.PHONY: catalog-validate
catalog-validate: bundle ## Check catalog/ with opm validate (builds opm v1.69.0 into the cache first: about 5 minutes once).
	"$$(hack/opm.sh)" validate catalog

##@ Build

.PHONY: build
build: manifests generate fmt vet ## Build the manager and the portico CLI into bin/.
	go build -o bin/manager ./cmd/manager
	go build -o bin/portico ./cmd/portico

.PHONY: install-cli
install-cli: ## Install the portico CLI into GOBIN, also as the kubectl plugin kubectl-portico.
	go install ./cmd/portico
	ln -sf "$(GOBIN_DIR)/portico" "$(GOBIN_DIR)/kubectl-portico"

.PHONY: run
run: manifests generate fmt vet ## Run the operator against the cluster of the current kubeconfig (without its webhook, which the API server could not reach).
	go run ./cmd/manager --enable-webhook=false

.PHONY: demo
demo: k8s-binaries ## Run the operator on a private local control plane with the samples; Ctrl-C stops it.
	go run ./hack/demo

.PHONY: docker-build
docker-build: ## Build the operator image (needs a container engine).
	docker build -t $(IMG) .

##@ Deployment

.PHONY: install
install: manifests ## Install the CRD and the data-plane ClusterRoles into the current kubeconfig's cluster.
	kubectl apply --server-side -k config/crd
	kubectl apply --server-side -k config/dataplane-rbac

.PHONY: uninstall
uninstall: manifests ## Remove the CRD from the current kubeconfig's cluster.
	kubectl delete --ignore-not-found -k config/crd

.PHONY: deploy
deploy: manifests ## Deploy the operator to the current kubeconfig's cluster.
	kubectl apply --server-side -k config/default

.PHONY: undeploy
undeploy: ## Remove the operator from the current kubeconfig's cluster: gateways first (the running operator cleans them up), then the operator and the CRDs.
	@# Deleting the CRD and the operator together would leave gateways
	@# (and their namespaces) stuck on the operator's finalizer.
	if kubectl get crd ingressgateways.ingress.portico.dev >/dev/null 2>&1; then \
		kubectl delete ingressgateways --all --all-namespaces --wait --timeout=5m; fi
	@# config/gateway-defaults exists only where the API server serves its kind (1.36+),
	@# asked of the group version itself: one GET, no discovery cache.
	if kubectl get --raw /apis/admissionregistration.k8s.io/v1 | grep -q '"name":"mutatingadmissionpolicies"'; then \
		kubectl delete --ignore-not-found -k config/gateway-defaults; fi
	kubectl delete --ignore-not-found -k config/default

.PHONY: build-installer
build-installer: manifests ## Write dist/install.yaml, a single-file install.
	mkdir -p dist
	kubectl kustomize config/default > dist/install.yaml

##@ Tools

.PHONY: controller-gen
controller-gen: $(CONTROLLER_GEN) ## Install controller-gen into bin/.
$(CONTROLLER_GEN):
	GOBIN=$(LOCALBIN) go install sigs.k8s.io/controller-tools/cmd/controller-gen@$(CONTROLLER_TOOLS_VERSION)
