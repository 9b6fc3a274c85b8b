# Portico — an operator for ingress controller fleets.
# Every target works offline: tools are pinned Go modules, and the Kubernetes
# binaries the tests need are built from Go modules by hack/build-k8s-binaries.sh
# into a cache outside the repository.

SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec

IMG ?= ghcr.io/portico-dev/portico:latest
LOCALBIN ?= $(shell pwd)/bin
CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen
CONTROLLER_TOOLS_VERSION ?= v0.23.0
GO_TEST_FLAGS ?=
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
	$(CONTROLLER_GEN) rbac:roleName=portico-manager-role crd webhook paths="./api/..." paths="./controllers/..." paths="./internal/webhook/..." output:crd:artifacts:config=config/crd/bases

.PHONY: generate
generate: controller-gen ## Generate DeepCopy methods.
	$(CONTROLLER_GEN) object:headerFile="hack/boilerplate.go.txt" paths="./api/..."

.PHONY: fmt
fmt: ## Run go fmt.
	go fmt ./...

.PHONY: vet
vet: ## Run go vet.
	go vet ./...

.PHONY: k8s-binaries
k8s-binaries: ## Build etcd, kube-apiserver and kubectl from Go modules into the cache (skipped when present).
	hack/build-k8s-binaries.sh etcd kube-apiserver kubectl

.PHONY: test
test: manifests generate fmt vet k8s-binaries test-deps ## Run every test: golden renders, status, envtest suites, keepalived checks.
	KUBEBUILDER_ASSETS="$$(hack/build-k8s-binaries.sh etcd kube-apiserver kubectl | tail -1)" \
		go test $(GO_TEST_FLAGS) ./... -coverprofile cover.out

.PHONY: test-deps
test-deps: ## Install keepalived, iproute2 and curl for the VIP tests when missing (apt-get).
	hack/install-test-deps.sh

.PHONY: bench
bench: k8s-binaries ## Print the performance figures (about 10 minutes; BENCH_FLAGS=-quick for a 1-minute smoke run).
	KUBEBUILDER_ASSETS="$$(hack/build-k8s-binaries.sh etcd kube-apiserver kubectl | tail -1)" go run ./test/bench $(BENCH_FLAGS)
	KUBEBUILDER_ASSETS="$$(hack/build-k8s-binaries.sh etcd kube-apiserver kubectl | tail -1)" \
		go test ./test/bench -run '^$$' -bench NoopReconcile -benchtime 2000x -count 5

.PHONY: bench-vip
bench-vip: test-deps ## Print VIP failover times with real keepalived in network namespaces (root; about 2 minutes).
	PORTICO_VIP_BENCH=1 go test ./test/vip -run TestFailoverTimes -count=1 -v

.PHONY: test-update-golden
test-update-golden: ## Regenerate the golden files (renders, data-plane ClusterRoles, CLI imports).
	go test ./internal/render/... ./internal/cli/... ./internal/keepalived/... -run 'TestGolden|TestDataPlaneClusterRoles|TestImportRoundTrip' -update

.PHONY: verify
verify: fmt manifests generate test-update-golden ## Fail if generated code, manifests or golden files are stale.
	@if [ -n "$$(git status --porcelain)" ]; then \
		echo "the tree changed after regeneration; run 'make fmt manifests generate test-update-golden' and commit:"; \
		git status --porcelain; git --no-pager diff | head -100; exit 1; fi

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
undeploy: ## Remove the operator from the current kubeconfig's cluster.
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
