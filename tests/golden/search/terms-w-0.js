window.PLAYBOOK_SEARCH_TERMS=window.PLAYBOOK_SEARCH_TERMS||{};window.PLAYBOOK_SEARCH_TERMS["w-0"]={"warehouse":[4],"what":[31],"who":[23,8]};
