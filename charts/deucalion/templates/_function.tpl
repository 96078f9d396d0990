{{/*
One function on the chosen platform: a Knative Service (min-scale 0) or an OpenFaaS Function
(openfaas.com/v1). Arguments (dict):
  root       the chart context ($)
  name       function name (DNS label; the OpenFaaS gateway route and the Knative host)
  serves     what `deucalion function X` serves (scrape-trigger, alert-forwarder, detector-<name>)
  component  app.kubernetes.io/component
  env        dict of environment variables
  config     optional file contents: mounted and named by DEUCALION_CONFIG
  schedule   optional cron schedule (OpenFaaS: cron-connector annotations; Knative: a PingSource,
             rendered by the caller)
*/}}
{{- define "deucalion.function" -}}
{{- $root := .root }}
{{- $v := $root.Values }}
{{- $env := deepCopy (default dict .env) }}
{{- if eq $v.platform "openfaas" }}
{{- $_ := set $env "DEUCALION_FUNCTION" .serves }}
{{- if .config }}
{{- $_ := set $env "DEUCALION_CONFIG" (printf "/var/openfaas/secrets/%s.yaml" .name) }}
# OpenFaaS functions mount Secrets (under /var/openfaas/secrets/), not ConfigMaps.
apiVersion: v1
kind: Secret
metadata:
  name: {{ .name }}
  namespace: {{ $v.openfaas.namespace }}
  labels:
    {{- include "deucalion.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
type: Opaque
stringData:
  {{ .name }}.yaml: |
    {{- .config | nindent 4 }}
---
{{- end }}
apiVersion: openfaas.com/v1
kind: Function
metadata:
  name: {{ .name }}
  namespace: {{ $v.openfaas.namespace }}
  labels:
    {{- include "deucalion.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
spec:
  name: {{ .name }}
  image: {{ include "deucalion.functionImage" $root }}
  labels:
    deucalion-injection: disabled
    app.kubernetes.io/part-of: deucalion
    app.kubernetes.io/component: {{ .component }}
    {{- if $v.openfaas.scaleToZero }}
    # OpenFaaS Pro's autoscaler; OpenFaaS CE ignores these labels (no scale to zero there).
    com.openfaas.scale.zero: "true"
    com.openfaas.scale.zero-duration: {{ $v.openfaas.scaleToZeroDuration | quote }}
    {{- end }}
  {{- if .schedule }}
  annotations:
    # The cron-connector invokes the function on this schedule (UTC), with an empty POST body.
    topic: cron-function
    schedule: {{ .schedule | quote }}
  {{- end }}
  environment:
    {{- range $k, $val := $env }}
    {{ $k }}: {{ $val | quote }}
    {{- end }}
  {{- if .config }}
  secrets:
    - {{ .name }}
  {{- end }}
  requests:
    {{- toYaml $v.functionResources.requests | nindent 4 }}
  limits:
    {{- toYaml $v.functionResources.limits | nindent 4 }}
  readOnlyRootFilesystem: true
{{- else }}
{{- if .config }}
{{- $_ := set $env "DEUCALION_CONFIG" (printf "/etc/deucalion/%s.yaml" .name) }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "deucalion.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
data:
  {{ .name }}.yaml: |
    {{- .config | nindent 4 }}
---
{{- end }}
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: {{ .name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "deucalion.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
    # Reachable inside the cluster only: nothing outside calls a Deucalion function.
    networking.knative.dev/visibility: cluster-local
spec:
  template:
    metadata:
      labels:
        app.kubernetes.io/part-of: deucalion
        app.kubernetes.io/component: {{ .component }}
        deucalion-injection: disabled
      annotations:
        autoscaling.knative.dev/min-scale: "0"
        autoscaling.knative.dev/max-scale: {{ $v.knative.maxScale | quote }}
        autoscaling.knative.dev/scale-to-zero-pod-retention-period: {{ $v.knative.scaleToZeroRetention | quote }}
        {{- if .config }}
        checksum/config: {{ .config | sha256sum }}
        {{- end }}
    spec:
      containerConcurrency: {{ $v.knative.containerConcurrency }}
      timeoutSeconds: {{ $v.knative.timeoutSeconds }}
      {{- with $v.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: function
          image: {{ include "deucalion.functionImage" $root }}
          imagePullPolicy: {{ $v.image.pullPolicy }}
          args: [function, {{ .serves | quote }}]
          ports:
            - name: http1
              containerPort: 8080
          {{- if $env }}
          env:
            {{- range $k, $val := $env }}
            - name: {{ $k }}
              value: {{ $val | quote }}
            {{- end }}
          {{- end }}
          readinessProbe:
            httpGet:
              path: /health/readiness
              port: 8080
            periodSeconds: 1
          livenessProbe:
            httpGet:
              path: /health/liveness
              port: 8080
            periodSeconds: 10
          resources:
            {{- toYaml $v.functionResources | nindent 12 }}
          securityContext:
            {{- include "deucalion.containerSecurityContext" $root | nindent 12 }}
          {{- if .config }}
          volumeMounts:
            - name: config
              mountPath: /etc/deucalion
              readOnly: true
          {{- end }}
      {{- if .config }}
      volumes:
        - name: config
          configMap:
            name: {{ .name }}
      {{- end }}
{{- end }}
{{- end }}
