window.PLAYBOOK_SEARCH_TERMS=window.PLAYBOOK_SEARCH_TERMS||{};window.PLAYBOOK_SEARCH_TERMS["b-0"]={"bill":[11],"buyer":[24,7],"buying":[23],"buys":[31],"by":[6,8]};
