/*
 * scope.c - which kinds are cluster-scoped.
 *
 * Data: the (apiVersion, kind) pairs that kustomize v5.5.0 knows to be
 * cluster-scoped, from kyaml/openapi's precomputedIsNamespaceScoped table
 * (entries with value false), which matches the Kubernetes v1.21.2 schema
 * kustomize embeds.  Any other pair is treated as namespaced, as kustomize
 * treats unknown kinds.  Both tables are sorted by (kind, apiVersion)
 * for binary search.
 */
#include <string.h>

#include "resource.h"

static const struct {
	const char *api_version;
	const char *kind;
} cluster_scoped[] = {
	{ "apiregistration.k8s.io/v1", "APIService" },
	{ "apiregistration.k8s.io/v1beta1", "APIService" },
	{ "storage.k8s.io/v1", "CSIDriver" },
	{ "storage.k8s.io/v1beta1", "CSIDriver" },
	{ "storage.k8s.io/v1", "CSINode" },
	{ "storage.k8s.io/v1beta1", "CSINode" },
	{ "certificates.k8s.io/v1", "CertificateSigningRequest" },
	{ "certificates.k8s.io/v1beta1", "CertificateSigningRequest" },
	{ "rbac.authorization.k8s.io/v1", "ClusterRole" },
	{ "rbac.authorization.k8s.io/v1beta1", "ClusterRole" },
	{ "rbac.authorization.k8s.io/v1", "ClusterRoleBinding" },
	{ "rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding" },
	{ "v1", "ComponentStatus" },
	{ "apiextensions.k8s.io/v1", "CustomResourceDefinition" },
	{ "apiextensions.k8s.io/v1beta1", "CustomResourceDefinition" },
	{ "flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema" },
	{ "networking.k8s.io/v1", "IngressClass" },
	{ "networking.k8s.io/v1beta1", "IngressClass" },
	{ "admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration" },
	{ "admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration" },
	{ "v1", "Namespace" },
	{ "v1", "Node" },
	{ "v1", "NodeProxyOptions" },
	{ "v1", "PersistentVolume" },
	{ "policy/v1beta1", "PodSecurityPolicy" },
	{ "scheduling.k8s.io/v1", "PriorityClass" },
	{ "scheduling.k8s.io/v1beta1", "PriorityClass" },
	{ "flowcontrol.apiserver.k8s.io/v1beta1", "PriorityLevelConfiguration" },
	{ "node.k8s.io/v1", "RuntimeClass" },
	{ "node.k8s.io/v1beta1", "RuntimeClass" },
	{ "storage.k8s.io/v1", "StorageClass" },
	{ "storage.k8s.io/v1beta1", "StorageClass" },
	{ "admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration" },
	{ "admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration" },
	{ "storage.k8s.io/v1", "VolumeAttachment" },
	{ "storage.k8s.io/v1beta1", "VolumeAttachment" },
};

/* The namespaced entries of the same table (value true). */
static const struct {
	const char *api_version;
	const char *kind;
} namespaced[] = {
	{ "storage.k8s.io/v1beta1", "CSIStorageCapacity" },
	{ "v1", "ConfigMap" },
	{ "apps/v1", "ControllerRevision" },
	{ "batch/v1", "CronJob" },
	{ "batch/v1beta1", "CronJob" },
	{ "apps/v1", "DaemonSet" },
	{ "apps/v1", "Deployment" },
	{ "discovery.k8s.io/v1", "EndpointSlice" },
	{ "discovery.k8s.io/v1beta1", "EndpointSlice" },
	{ "v1", "Endpoints" },
	{ "events.k8s.io/v1", "Event" },
	{ "events.k8s.io/v1beta1", "Event" },
	{ "v1", "Event" },
	{ "autoscaling/v1", "HorizontalPodAutoscaler" },
	{ "autoscaling/v2beta1", "HorizontalPodAutoscaler" },
	{ "autoscaling/v2beta2", "HorizontalPodAutoscaler" },
	{ "extensions/v1beta1", "Ingress" },
	{ "networking.k8s.io/v1", "Ingress" },
	{ "networking.k8s.io/v1beta1", "Ingress" },
	{ "batch/v1", "Job" },
	{ "coordination.k8s.io/v1", "Lease" },
	{ "coordination.k8s.io/v1beta1", "Lease" },
	{ "v1", "LimitRange" },
	{ "networking.k8s.io/v1", "NetworkPolicy" },
	{ "v1", "PersistentVolumeClaim" },
	{ "v1", "Pod" },
	{ "v1", "PodAttachOptions" },
	{ "policy/v1", "PodDisruptionBudget" },
	{ "policy/v1beta1", "PodDisruptionBudget" },
	{ "v1", "PodExecOptions" },
	{ "v1", "PodPortForwardOptions" },
	{ "v1", "PodProxyOptions" },
	{ "v1", "PodTemplate" },
	{ "apps/v1", "ReplicaSet" },
	{ "v1", "ReplicationController" },
	{ "v1", "ResourceQuota" },
	{ "rbac.authorization.k8s.io/v1", "Role" },
	{ "rbac.authorization.k8s.io/v1beta1", "Role" },
	{ "rbac.authorization.k8s.io/v1", "RoleBinding" },
	{ "rbac.authorization.k8s.io/v1beta1", "RoleBinding" },
	{ "autoscaling/v1", "Scale" },
	{ "v1", "Secret" },
	{ "v1", "Service" },
	{ "v1", "ServiceAccount" },
	{ "v1", "ServiceProxyOptions" },
	{ "apps/v1", "StatefulSet" },
};

/* Binary search of a table sorted by (kind, api_version), as both are:
 * this runs for every resource after every transformer. */
static int in_table(const void *table, size_t n, size_t stride,
                    const char *api_version, const char *kind)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *const *e = (const char *const *)((const char *)table + mid * stride);
		int c = strcmp(kind, e[1]);
		if (!c)
			c = strcmp(api_version, e[0]);
		if (!c)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

int kr_kind_is_precomputed(const char *api_version, const char *kind)
{
	return kr_kind_is_cluster_scoped(api_version, kind) ||
	       in_table(namespaced, sizeof(namespaced) / sizeof(namespaced[0]),
	                sizeof(namespaced[0]), api_version, kind);
}

int kr_kind_is_cluster_scoped(const char *api_version, const char *kind)
{
	return in_table(cluster_scoped, sizeof(cluster_scoped) / sizeof(cluster_scoped[0]),
	                sizeof(cluster_scoped[0]), api_version, kind);
}
