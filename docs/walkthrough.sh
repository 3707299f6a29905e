#!/usr/bin/env bash
# The curl walk-through of README.md, as a script (CI runs it against the demo: WalkthroughIT).
# Start the demo, then, with the demo API key it printed:
#   EMBED_API_KEY=sk_... bash docs/walkthrough.sh
# Needs bash, curl and sed. EMBED_URL defaults to the demo's http://localhost:8080.
set -euo pipefail
BASE="${EMBED_URL:-http://localhost:8080}"
: "${EMBED_API_KEY:?set EMBED_API_KEY to the demo API key that the demo printed}"

# field NAME < answer: the value of the JSON string member NAME (the last one, if several).
# A tiny sed, good for these answers; with jq installed, `jq -r .NAME` does the same.
field() { sed -n 's/.*"'"$1"'":"\([^"]*\)".*/\1/p'; }

# 1. Your backend mints a session for one of its users (flow B), with the API key.
MINTED=$(curl -sSf -X POST "$BASE/api/v1/spaces/demo/agents/support/embed-sessions" \
  -H "Authorization: Bearer $EMBED_API_KEY" -H 'Content-Type: application/json' \
  -d '{"externalUserId": "customer-123", "displayName": "Kelly"}')
TOKEN=$(printf '%s' "$MINTED" | field token)
SESSION_ID=$(printf '%s' "$MINTED" | field sessionId)
SESSION_URL=$(printf '%s' "$MINTED" | field sessionUrl)
MESSAGES_URL=$(printf '%s' "$MINTED" | field messagesUrl)
echo "1. minted session $SESSION_ID (its token goes to the frontend, never the key)"

# 2. The frontend sends a message with the token: 202, the agent answers asynchronously.
SENT=$(curl -sSf -X POST "$MESSAGES_URL" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d '{"message": "How do I reset my device?"}')
MESSAGE_ID=$(printf '%s' "$SENT" | field messageId)
echo "2. sent message $MESSAGE_ID"

# 3. It long-polls (up to 25 s) for anything newer than its message: the agent's reply.
NEWER=$(curl -sSf "$SESSION_URL?after=$MESSAGE_ID&wait=25" -H "Authorization: Bearer $TOKEN")
REPLY=$(printf '%s' "$NEWER" | field content)
[ -n "$REPLY" ] || { echo "no reply within 25 s: $NEWER" >&2; exit 1; }
echo "3. the agent replied: $REPLY"

# 4. Your backend ends the session: from then on its token answers 401.
curl -sSf -X DELETE "$BASE/api/v1/spaces/demo/agents/support/embed-sessions/$SESSION_ID" \
  -H "Authorization: Bearer $EMBED_API_KEY"
STATUS=$(curl -s -o /dev/null -w '%{http_code}' "$SESSION_URL" -H "Authorization: Bearer $TOKEN")
[ "$STATUS" = 401 ] || { echo "the ended session's token answered $STATUS, not 401" >&2; exit 1; }
echo "4. ended the session; its token now answers $STATUS"
