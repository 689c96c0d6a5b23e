/*
 * scope.c - which kinds are cluster-scoped.
 *
 * Data: the (apiVersion, kind) pairs that kustomize v5.5.0 knows to be
 * cluster-scoped, from kyaml/openapi's precomputedIsNamespaceScoped table
 * (entries with value false), which matches the Kubernetes v1.21.2 schema
 * kustomize embeds.  Any other pair is treated as namespaced, as kustomize
 * treats unknown kinds.
 */
#include <string.h>

#include "resource.h"

static const struct {
	const char *api_version;
	const char *kind;
} cluster_scoped[] = {
	{ "admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration" },
	{ "admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration" },
	{ "admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration" },
	{ "admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration" },
	{ "apiextensions.k8s.io/v1", "CustomResourceDefinition" },
	{ "apiextensions.k8s.io/v1beta1", "CustomResourceDefinition" },
	{ "apiregistration.k8s.io/v1", "APIService" },
	{ "apiregistration.k8s.io/v1beta1", "APIService" },
	{ "certificates.k8s.io/v1", "CertificateSigningRequest" },
	{ "certificates.k8s.io/v1beta1", "CertificateSigningRequest" },
	{ "flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema" },
	{ "flowcontrol.apiserver.k8s.io/v1beta1", "PriorityLevelConfiguration" },
	{ "networking.k8s.io/v1", "IngressClass" },
	{ "networking.k8s.io/v1beta1", "IngressClass" },
	{ "node.k8s.io/v1", "RuntimeClass" },
	{ "node.k8s.io/v1beta1", "RuntimeClass" },
	{ "policy/v1beta1", "PodSecurityPolicy" },
	{ "rbac.authorization.k8s.io/v1", "ClusterRole" },
	{ "rbac.authorization.k8s.io/v1", "ClusterRoleBinding" },
	{ "rbac.authorization.k8s.io/v1beta1", "ClusterRole" },
	{ "rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding" },
	{ "scheduling.k8s.io/v1", "PriorityClass" },
	{ "scheduling.k8s.io/v1beta1", "PriorityClass" },
	{ "storage.k8s.io/v1", "CSIDriver" },
	{ "storage.k8s.io/v1", "CSINode" },
	{ "storage.k8s.io/v1", "StorageClass" },
	{ "storage.k8s.io/v1", "VolumeAttachment" },
	{ "storage.k8s.io/v1beta1", "CSIDriver" },
	{ "storage.k8s.io/v1beta1", "CSINode" },
	{ "storage.k8s.io/v1beta1", "StorageClass" },
	{ "storage.k8s.io/v1beta1", "VolumeAttachment" },
	{ "v1", "ComponentStatus" },
	{ "v1", "Namespace" },
	{ "v1", "Node" },
	{ "v1", "NodeProxyOptions" },
	{ "v1", "PersistentVolume" },
};

/* The namespaced entries of the same table (value true). */
static const struct {
	const char *api_version;
	const char *kind;
} namespaced[] = {
	{ "apps/v1", "ControllerRevision" },
	{ "apps/v1", "DaemonSet" },
	{ "apps/v1", "Deployment" },
	{ "apps/v1", "ReplicaSet" },
	{ "apps/v1", "StatefulSet" },
	{ "autoscaling/v1", "HorizontalPodAutoscaler" },
	{ "autoscaling/v1", "Scale" },
	{ "autoscaling/v2beta1", "HorizontalPodAutoscaler" },
	{ "autoscaling/v2beta2", "HorizontalPodAutoscaler" },
	{ "batch/v1", "CronJob" },
	{ "batch/v1", "Job" },
	{ "batch/v1beta1", "CronJob" },
	{ "coordination.k8s.io/v1", "Lease" },
	{ "coordination.k8s.io/v1beta1", "Lease" },
	{ "discovery.k8s.io/v1", "EndpointSlice" },
	{ "discovery.k8s.io/v1beta1", "EndpointSlice" },
	{ "events.k8s.io/v1", "Event" },
	{ "events.k8s.io/v1beta1", "Event" },
	{ "extensions/v1beta1", "Ingress" },
	{ "networking.k8s.io/v1", "Ingress" },
	{ "networking.k8s.io/v1", "NetworkPolicy" },
	{ "networking.k8s.io/v1beta1", "Ingress" },
	{ "policy/v1", "PodDisruptionBudget" },
	{ "policy/v1beta1", "PodDisruptionBudget" },
	{ "rbac.authorization.k8s.io/v1", "Role" },
	{ "rbac.authorization.k8s.io/v1", "RoleBinding" },
	{ "rbac.authorization.k8s.io/v1beta1", "Role" },
	{ "rbac.authorization.k8s.io/v1beta1", "RoleBinding" },
	{ "storage.k8s.io/v1beta1", "CSIStorageCapacity" },
	{ "v1", "ConfigMap" },
	{ "v1", "Endpoints" },
	{ "v1", "Event" },
	{ "v1", "LimitRange" },
	{ "v1", "PersistentVolumeClaim" },
	{ "v1", "Pod" },
	{ "v1", "PodAttachOptions" },
	{ "v1", "PodExecOptions" },
	{ "v1", "PodPortForwardOptions" },
	{ "v1", "PodProxyOptions" },
	{ "v1", "PodTemplate" },
	{ "v1", "ReplicationController" },
	{ "v1", "ResourceQuota" },
	{ "v1", "Secret" },
	{ "v1", "Service" },
	{ "v1", "ServiceAccount" },
	{ "v1", "ServiceProxyOptions" },
};

int kr_kind_is_precomputed(const char *api_version, const char *kind)
{
	if (kr_kind_is_cluster_scoped(api_version, kind))
		return 1;
	for (size_t i = 0; i < sizeof(namespaced) / sizeof(namespaced[0]); i++)
		if (!strcmp(namespaced[i].kind, kind) &&
		    !strcmp(namespaced[i].api_version, api_version))
			return 1;
	return 0;
}

int kr_kind_is_cluster_scoped(const char *api_version, const char *kind)
{
	for (size_t i = 0; i < sizeof(cluster_scoped) / sizeof(cluster_scoped[0]); i++)
		if (!strcmp(cluster_scoped[i].kind, kind) &&
		    !strcmp(cluster_scoped[i].api_version, api_version))
			return 1;
	return 0;
}
