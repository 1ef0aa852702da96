window.PLAYBOOK_SEARCH_TERMS=window.PLAYBOOK_SEARCH_TERMS||{};window.PLAYBOOK_SEARCH_TERMS["c-0"]={"cfo":[3],"cloud":[4,10],"coach":[31],"corp":[1]};
