{{/* Chart name, overridable. */}}
{{- define "projector.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* <release>-<chart> unless the release name already contains the chart name (Helm's convention). */}}
{{- define "projector.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "projector.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride }}
{{- end }}

{{/* The namespace the operator watches, or "" for all. */}}
{{- define "projector.watchNamespace" -}}
{{- if or .Values.scopedNamespace .Values.scopedRBAC }}
{{- default (include "projector.namespace" .) .Values.scopedNamespace }}
{{- end }}
{{- end }}

{{- define "projector.selectorLabels" -}}
app.kubernetes.io/name: {{ include "projector.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "projector.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "projector.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "projector.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "projector.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "projector.leaseName" -}}
{{- default "projector-controller" .Values.leaderElectionID }}
{{- end }}

{{/* A securityContext value without the chart's own "enabled" switch. */}}
{{- define "projector.securityContext" -}}
{{- toYaml (omit . "enabled") }}
{{- end }}

{{/* Does the cluster serve ServiceMonitors (serviceMonitor.renderMode)? */}}
{{- define "projector.renderServiceMonitor" -}}
{{- $has := .Capabilities.APIVersions.Has "monitoring.coreos.com/v1/ServiceMonitor" }}
{{- $mode := .Values.serviceMonitor.renderMode }}
{{- if not (has $mode (list "skipIfMissing" "failIfMissing" "alwaysRender")) }}
{{- fail (printf "serviceMonitor.renderMode must be skipIfMissing, failIfMissing or alwaysRender, not %q" $mode) }}
{{- end }}
{{- if and .Values.serviceMonitor.enabled (eq $mode "failIfMissing") (not $has) }}
{{- fail "serviceMonitor.enabled is true but the cluster does not serve monitoring.coreos.com/v1 ServiceMonitor (install the Prometheus Operator's CRDs, or set serviceMonitor.renderMode=alwaysRender)" }}
{{- end }}
{{- if and .Values.serviceMonitor.enabled (or $has (eq $mode "alwaysRender")) }}true{{ end }}
{{- end }}

{{/* The webhook's serving-certificate Secret. */}}
{{- define "projector.webhookSecretName" -}}
{{- default (printf "%s-webhook-tls" (include "projector.fullname" .)) .Values.webhook.secretName }}
{{- end }}
