{{/* Names, labels, images and URLs shared by the templates. */}}

{{- define "deucalion.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "deucalion.fullname" -}}
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

{{- define "deucalion.injectorName" -}}
{{- printf "%s-injector" (include "deucalion.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "deucalion.alertmanagerName" -}}
{{- printf "%s-alertmanager" (include "deucalion.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "deucalion.tlsSecretName" -}}
{{- if and (eq .Values.tls.mode "secret") .Values.tls.secretName }}
{{- .Values.tls.secretName }}
{{- else }}
{{- printf "%s-tls" (include "deucalion.injectorName" .) }}
{{- end }}
{{- end }}

{{/* The federation Prometheus ServiceAccount; the reconciler's config names it too. */}}
{{- define "deucalion.federationServiceAccount" -}}
{{- printf "%s-federation-prometheus" (include "deucalion.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "deucalion.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "deucalion.labels" -}}
helm.sh/chart: {{ include "deucalion.chart" . }}
app.kubernetes.io/name: {{ include "deucalion.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: deucalion
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of one component: (dict "root" $ "component" "injector") */}}
{{- define "deucalion.selectorLabels" -}}
app.kubernetes.io/name: {{ include "deucalion.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "deucalion.tag" -}}
{{- default .Chart.AppVersion .Values.image.tag }}
{{- end }}

{{/* (dict "root" $ "repo" "injector") → registry/injector:tag */}}
{{- define "deucalion.image" -}}
{{- $registry := .root.Values.image.registry | trimSuffix "/" }}
{{- if $registry }}
{{- printf "%s/%s:%s" $registry .repo (include "deucalion.tag" .root) }}
{{- else }}
{{- printf "%s:%s" .repo (include "deucalion.tag" .root) }}
{{- end }}
{{- end }}

{{- define "deucalion.sidecarImage" -}}
{{- default (include "deucalion.image" (dict "root" . "repo" .Values.image.dispatcher)) .Values.sidecar.image }}
{{- end }}

{{/* Image that serves a function on this platform. */}}
{{- define "deucalion.functionImage" -}}
{{- if eq .Values.platform "openfaas" }}
{{- include "deucalion.image" (dict "root" . "repo" .Values.image.openfaasFunction) }}
{{- else }}
{{- include "deucalion.image" (dict "root" . "repo" .Values.image.function) }}
{{- end }}
{{- end }}

{{/* Namespace of functions (Knative Services or OpenFaaS Functions) and reconciled federations. */}}
{{- define "deucalion.functionNamespace" -}}
{{- if eq .Values.platform "openfaas" }}{{ .Values.openfaas.namespace }}{{ else }}{{ .Release.Namespace }}{{ end }}
{{- end }}

{{/* In-cluster URL of function NAME: (dict "root" $ "name" "alert-forwarder") */}}
{{- define "deucalion.functionUrl" -}}
{{- if eq .root.Values.platform "openfaas" }}
{{- printf "%s/function/%s" (.root.Values.openfaas.gateway | trimSuffix "/") .name }}
{{- else }}
{{- printf "http://%s.%s.svc.cluster.local" .name .root.Release.Namespace }}
{{- end }}
{{- end }}

{{- define "deucalion.brokerUrl" -}}
{{- printf "http://broker-ingress.knative-eventing.svc.cluster.local/%s/%s" .Release.Namespace .Values.knative.broker.name }}
{{- end }}

{{/* Where anomaly events go: sink.url, else the Broker (knative.broker.enabled), else the alert-forwarder. */}}
{{- /* The `sink:` of a scrape-trigger's config, as YAML; empty when there is no sink URL. */}}
{{- define "deucalion.triggerSink" -}}
{{- with include "deucalion.sinkUrl" . }}
{{- $sink := dict "url" . }}
{{- with $.Values.sink.caCerts }}{{ $_ := set $sink "caCerts" . }}{{ end }}
{{- toYaml $sink }}
{{- end }}
{{- end }}

{{- define "deucalion.sinkUrl" -}}
{{- if .Values.sink.url }}
{{- .Values.sink.url }}
{{- else if and (eq .Values.platform "knative") .Values.knative.broker.enabled }}
{{- include "deucalion.brokerUrl" . }}
{{- else if .Values.alertForwarder.enabled }}
{{- include "deucalion.functionUrl" (dict "root" . "name" "alert-forwarder") }}
{{- end }}
{{- end }}

{{- define "deucalion.alertmanagerUrl" -}}
{{- if .Values.alertmanager.enabled }}
{{- printf "http://%s.%s.svc.cluster.local:9093" (include "deucalion.alertmanagerName" .) .Release.Namespace }}
{{- else }}
{{- required "alertmanager.url is required when alertmanager.enabled is false" .Values.alertmanager.url }}
{{- end }}
{{- end }}

{{/* Where the scrape-trigger finds detector-<name> functions (its `detectors:` config). */}}
{{- define "deucalion.detectorEndpoints" -}}
{{- if eq .Values.platform "openfaas" }}
baseUrl: {{ printf "%s/function/" (.Values.openfaas.gateway | trimSuffix "/") | quote }}
{{- else }}
urls:
{{- range .Values.detectors }}
  {{ printf "detector-%s" .name }}: {{ include "deucalion.functionUrl" (dict "root" $ "name" (printf "detector-%s" .name)) | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* Container securityContext shared by everything the chart runs. */}}
{{- define "deucalion.containerSecurityContext" -}}
runAsNonRoot: true
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Prometheus' meta label for a pod label key: non [a-zA-Z0-9_] become _. */}}
{{- define "deucalion.podLabelMeta" -}}
{{- printf "__meta_kubernetes_pod_label_%s" (regexReplaceAll "[^a-zA-Z0-9_]" . "_") }}
{{- end }}

{{- define "deucalion.staticFederationLabel" -}}
deucalion.io/static-federation
{{- end }}

{{/* Whether the chart renders the functions ("true"/""); OpenFaaS users may deploy them with faas-cli instead. */}}
{{- define "deucalion.renderFunctions" -}}
{{- if or (eq .Values.platform "knative") .Values.openfaas.functions }}true{{ end }}
{{- end }}
