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

// Command manager runs the Portico operator.
package main

import (
	"flag"
	"os"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/portico-dev/portico/internal/manager"
)

func main() {
	opts := manager.Options{}
	opts.BindFlags(flag.CommandLine)
	zapOpts := zap.Options{}
	zapOpts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
	if limit, err := manager.ApplySoftMemoryLimit(os.Getenv); err != nil {
		ctrl.Log.Error(err, "Ignoring the memory limit")
	} else if limit > 0 {
		ctrl.Log.Info("Go soft memory limit set from the container's", "bytes", limit)
	}
	if percent := manager.ApplyGCPercent(os.Getenv); percent > 0 {
		ctrl.Log.Info("No memory limit given: the Go collector runs at GOGC", "percent", percent)
	}

	if err := manager.Run(ctrl.SetupSignalHandler(), ctrl.GetConfigOrDie(), opts); err != nil {
		ctrl.Log.Error(err, "Operator stopped")
		os.Exit(1)
	}
}
