{{/* The chart's name, truncated to the 63 characters of a DNS label. */}}
{{- define "bumpflow.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name: the release name, with the chart's name unless it already contains it. */}}
{{- define "bumpflow.fullname" -}}
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

{{- define "bumpflow.selectorLabels" -}}
app.kubernetes.io/name: {{ include "bumpflow.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: worker
{{- end }}

{{- define "bumpflow.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "bumpflow.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "bumpflow.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "bumpflow.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Whether the worker gets a config file: values.config / configFiles, or an existing ConfigMap. */}}
{{- define "bumpflow.hasConfig" -}}
{{- if or .Values.existingConfigMap .Values.config .Values.configFiles }}true{{ end }}
{{- end }}

{{- define "bumpflow.configMapName" -}}
{{- default (printf "%s-config" (include "bumpflow.fullname" .)) .Values.existingConfigMap }}
{{- end }}

{{/*
The readiness check: the worker's own temporal_num_pollers gauge for workflow
tasks on its task queue is above 0 (it has started and is polling), read from
its metrics endpoint by `node` in the container (no shell, no curl in the image).
*/}}
{{- define "bumpflow.pollingCheck" -}}
{{- $queue := regexQuoteMeta .Values.temporal.taskQueue -}}
{{- $pattern := printf "^temporal_num_pollers\\{(?=[^}]*poller_type=\"workflow_task\")(?=[^}]*task_queue=\"%s\")[^}]*\\} [1-9]" $queue -}}
const pattern = new RegExp({{ $pattern | toJson }}, "m");
fetch("http://127.0.0.1:{{ .Values.metrics.port }}/metrics", { signal: AbortSignal.timeout(4000) })
  .then((r) => r.text())
  .then((t) => process.exit(pattern.test(t) ? 0 : 1), () => process.exit(1));
{{- end }}
