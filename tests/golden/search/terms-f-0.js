window.PLAYBOOK_SEARCH_TERMS=window.PLAYBOOK_SEARCH_TERMS||{};window.PLAYBOOK_SEARCH_TERMS["f-0"]={"for":[6,8],"from":[31],"funds":[31]};
