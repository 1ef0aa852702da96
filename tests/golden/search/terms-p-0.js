window.PLAYBOOK_SEARCH_TERMS=window.PLAYBOOK_SEARCH_TERMS||{};window.PLAYBOOK_SEARCH_TERMS["p-0"]={"payroll":[8,6],"peeters":[2],"platform":[0,6],"propose":[14]};
