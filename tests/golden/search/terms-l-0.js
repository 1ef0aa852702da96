window.PLAYBOOK_SEARCH_TERMS=window.PLAYBOOK_SEARCH_TERMS||{};window.PLAYBOOK_SEARCH_TERMS["l-0"]={"lies":[10],"list":[23],"lumbergh":[11]};
