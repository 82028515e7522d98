{{- define "app.labels" -}}
app: web
{{- end }}
