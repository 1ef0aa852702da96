window.PLAYBOOK_SEARCH_TERMS=window.PLAYBOOK_SEARCH_TERMS||{};window.PLAYBOOK_SEARCH_TERMS["m"]={"march":[6],"marie":[3],"migration":[8],"moves":[14]};
