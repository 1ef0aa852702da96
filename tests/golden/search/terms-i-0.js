window.PLAYBOOK_SEARCH_TERMS=window.PLAYBOOK_SEARCH_TERMS||{};window.PLAYBOOK_SEARCH_TERMS["i-0"]={"influence":[23],"initech":[9,5],"involved":[23],"is":[23]};
