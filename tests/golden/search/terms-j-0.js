window.PLAYBOOK_SEARCH_TERMS=window.PLAYBOOK_SEARCH_TERMS||{};window.PLAYBOOK_SEARCH_TERMS["j-0"]={"jan":[2],"janssens":[3],"june":[14]};
