-- Question: What share of buying customers in each segment came back for a second order?
-- Description: Repeat customers per customer segment as a percentage of that segment's buying customers.
WITH per_customer AS (
    SELECT o.customer_id, COUNT(*) AS order_count
    FROM orders AS o
    WHERE o.status NOT IN ('cancelled', 'returned')
    GROUP BY o.customer_id
)
SELECT c.segment,
       COUNT(*) AS buying_customers,
       ROUND(100.0 * SUM(CASE WHEN pc.order_count >= 2 THEN 1 ELSE 0 END) / COUNT(*), 2) AS repeat_rate_pct
FROM per_customer AS pc
JOIN customers AS c ON c.customer_id = pc.customer_id
GROUP BY c.segment
ORDER BY repeat_rate_pct DESC;
