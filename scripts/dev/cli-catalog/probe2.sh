O=/tmp/orig-auth/node_modules/paperclipai/dist/index.js
U1=11111111-1111-1111-1111-111111111111; U2=22222222-2222-2222-2222-222222222222; CO=33333333-3333-3333-3333-333333333333
A="--api-base http://127.0.0.1:3305 --api-key KEY --run-id RUNID --json"
p() { : > /tmp/cliref/rec5.jsonl; echo "### $*"; timeout 90 node $O "$@" $A >/dev/null 2>/tmp/cliref/p2err; tail -1 /tmp/cliref/p2err | cut -c1-200; cat /tmp/cliref/rec5.jsonl; }
p project create -C $CO --name V_name --description V_desc --status planned --goal-id $U1 --goal-ids $U1,$U2 --lead-agent-id $U2 --target-date 2026-01-02 --color "#aabbcc" --env-json '{"K":"v"}' --execution-workspace-policy-json '{"p":1}'
p project update $U1 --name V_name --description null --status in_progress --goal-id null --lead-agent-id $U2 --target-date null --color null --archived-at null
p goal create -C $CO --title V_title --description V_desc --level company --status active --parent-id $U1 --owner-agent-id $U2
p goal update $U1 --title V_title --description null --level team --status achieved --parent-id null --owner-agent-id null
p approval create -C $CO --type hire_agent --payload '{"name":"x"}' --requested-by-agent-id $U1 --issue-ids $U1,$U2
p issue document:put $U1 plan --title V_title --format markdown --body V_body --change-summary V_cs --base-revision-id $U2
p issue checkout $U1 --agent-id $U2 --expected-statuses todo,backlog
p issue checkout $U1
p issue label:create -C $CO --name V_name --color "#aabbcc"
p issue work-product:create $U1 --payload-json '{"type":"pull_request","url":"https://x"}'
p issue child:create $U1 --payload-json '{"title":"child"}'
p agent create -C $CO --payload-json '{"name":"a"}'
p issue interaction:create $U1 --payload-json '{"kind":"question"}'
p issue interaction:respond $U1 $U2 --answers-json '[{"a":1}]' --summary-markdown V_sum
p issue create -C $CO --title V_title --description V_desc --status todo --priority high --assignee-agent-id $U1 --project-id $U2 --goal-id $U1 --parent-id $U2 --request-depth 3 --billing-code V_bc
p issue update $U1 --title V_title --description V_desc --status done --priority low --assignee-agent-id $U1 --project-id $U2 --goal-id $U1 --parent-id $U2 --request-depth 3 --billing-code V_bc --comment V_comment --hidden-at null
p issue comment $U1 --body V_body --attachment-id $U2 --reopen --resume
p issue recovery:resolve $U1 --help
p agent permissions:update $U1 --help
