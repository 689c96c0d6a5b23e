#!/bin/sh
# A Helm 3 post-renderer: Helm writes the chart's manifests to stdin and
# installs what comes out on stdout.  krender makes them the file all.yaml
# of the kustomization in KRENDER_OVERLAY (default: ./overlay), in memory,
# and builds it.
#
#   helm install shop ./chart --post-renderer ./contrib/helm/post-render.sh
#
# Helm 3.10 and later can also call krender directly, no script needed:
#   helm install shop ./chart --post-renderer krender \
#       --post-renderer-args post-render --post-renderer-args ./overlay
#
# See docs/helm.md.
exec "${KRENDER:-krender}" post-render "${KRENDER_OVERLAY:-./overlay}"
