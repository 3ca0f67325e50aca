{{- define "sfcache.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "sfcache.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "sfcache.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "sfcache.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "sfcache.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sfcache.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "sfcache.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "sfcache.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "sfcache.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sfcache.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "sfcache.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}


{{/* Settings the app cannot start without that the values leave empty (NOTES.txt lists them). */}}
{{- define "sfcache.missingSettings" -}}
{{- $missing := list }}
{{- if not .Values.azure.cosmos.endpoint }}{{ $missing = append $missing "azure.cosmos.endpoint" }}{{ end }}
{{- if and (not .Values.azure.servicebus.namespace) (not .Values.azure.secretKeys.servicebusConnectionString) }}{{ $missing = append $missing "azure.servicebus.namespace (or azure.secretKeys.servicebusConnectionString)" }}{{ end }}
{{- if and (not .Values.azure.eventhubs.namespace) (not .Values.azure.secretKeys.eventhubsConnectionString) }}{{ $missing = append $missing "azure.eventhubs.namespace (or azure.secretKeys.eventhubsConnectionString)" }}{{ end }}
{{- if not .Values.salesforce.loginUrl }}{{ $missing = append $missing "salesforce.loginUrl" }}{{ end }}
{{- if not .Values.salesforce.clientId }}{{ $missing = append $missing "salesforce.clientId" }}{{ end }}
{{- if not .Values.salesforce.existingSecret }}{{ $missing = append $missing "salesforce.existingSecret" }}{{ end }}
{{- if not .Values.security.issuerUri }}{{ $missing = append $missing "security.issuerUri" }}{{ end }}
{{- if not .Values.security.audience }}{{ $missing = append $missing "security.audience" }}{{ end }}
{{- join ", " $missing }}
{{- end }}
