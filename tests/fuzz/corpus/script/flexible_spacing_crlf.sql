  --retort:parent   0001  
	--	retort:transaction none	
--retort:up
SELECT 1;
   -- retort:down   
