window.PLAYBOOK_SEARCH_TERMS=window.PLAYBOOK_SEARCH_TERMS||{};window.PLAYBOOK_SEARCH_TERMS["d-0"]={"data":[0,6],"develop":[6],"dubois":[3]};
