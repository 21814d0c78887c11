#!/usr/bin/env bash
# Extract and compile the zh_Hans catalogue of one app (or all), in that app's own locale/ folder,
# so that work on one app never rewrites another's catalogue. Usage: scripts/messages.sh [APP...]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
apps=("$@"); [ ${#apps[@]} -gt 0 ] || apps=(zhiku briefs circulation clusters backcatalogue jobs)
for app in "${apps[@]}"; do
  mkdir -p "$app/locale"
  (cd "$app" && DJANGO_SETTINGS_MODULE=zhiku.settings.dev PYTHONPATH="$root" "$root/.venv/bin/django-admin" makemessages -l zh_Hans --no-obsolete --ignore 'migrations/*' >/dev/null)
  (cd "$app" && DJANGO_SETTINGS_MODULE=zhiku.settings.dev PYTHONPATH="$root" "$root/.venv/bin/django-admin" compilemessages -l zh_Hans >/dev/null)
  echo "$app/locale/zh_Hans/LC_MESSAGES/django.po: $(grep -c '^msgid ' "$app/locale/zh_Hans/LC_MESSAGES/django.po") msgids, $(grep -B1 -c '^msgstr ""$' "$app/locale/zh_Hans/LC_MESSAGES/django.po") empty msgstr (header included)"
done
