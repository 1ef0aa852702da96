window.PLAYBOOK_SEARCH_TERMS=window.PLAYBOOK_SEARCH_TERMS||{};window.PLAYBOOK_SEARCH_TERMS["m-0"]={"march":[6],"marie":[3],"migration":[8],"moves":[14]};
