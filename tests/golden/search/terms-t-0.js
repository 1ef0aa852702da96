window.PLAYBOOK_SEARCH_TERMS=window.PLAYBOOK_SEARCH_TERMS||{};window.PLAYBOOK_SEARCH_TERMS["t-0"]={"the":[6,6,4,15],"them":[31],"through":[31],"to":[14],"tom":[3]};
